/**
 * @module engine/handshake-request — what a session keeps of its handshake request
 * (`socket.request`): the fields apps read, without the `IncomingMessage`'s stream state,
 * listeners, raw header array and trailers (issue 18: heap per idle connection).
 *
 * The request is replaced by a {@link HandshakeRequest} only when nothing was attached to it
 * (no own property a fresh `IncomingMessage` does not have: no `session` or `user` from an
 * engine middleware, no framework's symbol). Otherwise the original object is kept, so that
 * what middlewares attached, and libraries that assign to it later (express-session's
 * `session.reload()` sets `req.session` on the request it was given), stay one and the same
 * object.
 *
 * The slim record inherits from `IncomingMessage.prototype` (`instanceof IncomingMessage`, the
 * `connection` accessor, methods libraries add to the prototype) and has `headers`, `url`,
 * `method`, `httpVersion*`, `socket`, `upgrade`, `complete`, and `rawHeaders` and
 * `headersDistinct` rebuilt from `headers` when read (lower-case names). It is no longer a
 * readable stream: the handshake's body was consumed long ago.
 */
import { IncomingMessage, type IncomingHttpHeaders } from "node:http";
import type { Socket as NetSocket } from "node:net";

/** The own keys of a request nobody touched (measured on this Node version at load time). */
const PRISTINE_KEYS: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  ...Reflect.ownKeys(new IncomingMessage(null as unknown as NetSocket)),
  "_eventsCount",
  "parser", // set by node:http's server on the request it parsed
]);

const NO_TRAILERS: readonly string[] = Object.freeze([]);

/** The fields of a handshake request that outlive the handshake. */
class HandshakeRequest {
  readonly headers: IncomingHttpHeaders;
  url: string | undefined;
  method: string | undefined;
  httpVersion: string;
  httpVersionMajor: number;
  httpVersionMinor: number;
  socket: NetSocket;
  upgrade: boolean;
  complete = true;
  aborted = false;

  constructor(req: IncomingMessage) {
    this.headers = req.headers;
    this.url = req.url;
    this.method = req.method;
    this.httpVersion = req.httpVersion;
    this.httpVersionMajor = req.httpVersionMajor;
    this.httpVersionMinor = req.httpVersionMinor;
    this.socket = req.socket;
    this.upgrade = (req as IncomingMessage & { upgrade?: boolean }).upgrade === true;
  }

  /** `[name, value, …]` as `IncomingMessage#rawHeaders`, rebuilt from `headers` (lower-case names). */
  get rawHeaders(): string[] {
    const out: string[] = [];
    for (const [name, value] of Object.entries(this.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) out.push(name, v);
      else out.push(name, value);
    }
    return out;
  }

  /** `IncomingMessage#headersDistinct`: every header's values as an array. */
  get headersDistinct(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(this.headers)) {
      if (value !== undefined) out[name] = Array.isArray(value) ? [...value] : [value];
    }
    return out;
  }

  get rawTrailers(): readonly string[] {
    return NO_TRAILERS;
  }
}
Object.setPrototypeOf(HandshakeRequest.prototype, IncomingMessage.prototype);

/**
 * The request a session keeps: a slim {@link HandshakeRequest} when nothing was attached to
 * `req`, else `req` itself.
 */
export function keptRequest(req: IncomingMessage): IncomingMessage {
  if (!(req instanceof IncomingMessage) || req instanceof HandshakeRequest) return req;
  for (const key of Reflect.ownKeys(req)) if (!PRISTINE_KEYS.has(key)) return req;
  return new HandshakeRequest(req) as unknown as IncomingMessage;
}
