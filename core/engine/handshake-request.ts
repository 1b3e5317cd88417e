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
 *
 * The slim record's `headers` is a copy of the request's, made to take less memory (see
 * compactHeaders): the same plain object to apps, shared by `socket.request` and
 * `socket.handshake` as the original is with socket.io.
 *
 * Either way, the header values most connections repeat (`host`, `upgrade`, `user-agent`…) and
 * the url become strings shared by every connection that sent the same text (util/intern.ts).
 */
import { IncomingMessage, type IncomingHttpHeaders } from "node:http";
import type { Socket as NetSocket } from "node:net";
import { InternTable } from "../util/intern.js";
import { withBit } from "../util/bits.js";

/** The own keys of a request nobody touched (measured on this Node version at load time). */
const PRISTINE_KEYS: ReadonlySet<PropertyKey> = new Set<PropertyKey>([
  ...Reflect.ownKeys(new IncomingMessage(null as unknown as NetSocket)),
  "_eventsCount",
  "parser", // set by node:http's server on the request it parsed
]);

const NO_TRAILERS: readonly string[] = Object.freeze([]);

// Values most connections share (see util/intern.ts): the headers named here, the request's url
// (e.g. `/socket.io/?EIO=4&transport=websocket` for every WebSocket client without a query).
const SHARED_HEADERS: readonly string[] = [
  "host",
  "upgrade",
  "connection",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "user-agent",
  "origin",
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "pragma",
];
const headerValues = new InternTable(512, 512);
const urls = new InternTable(64, 512);

/** Makes the handshake's shared header values one string for every connection (equal values only). */
function internHeaders(headers: IncomingHttpHeaders): void {
  for (let i = 0; i < SHARED_HEADERS.length; i++) {
    const name = SHARED_HEADERS[i]!;
    const value = headers[name];
    // Reflect.set: a frozen headers object (an app's own) is left as it is
    if (typeof value === "string") Reflect.set(headers, name, headerValues.intern(value));
  }
}

// Node's headers object is an object literal grown one header at a time: V8 keeps the first four
// values in the object and the others in a separate array (≈ 96 bytes for the five headers of a
// WebSocket handshake). A copy made by a constructor of its own keeps them all in the object
// (≈ 64 bytes): V8 sizes a constructor's objects by the properties its first ones received, so
// there is one constructor per header count, each making only objects of that many headers.
// The copies are plain objects, as Node's (prototype Object.prototype, same keys in the same
// order, same values, writable and extensible); V8 keeps at most ten properties in such an
// object, and four or fewer fit in Node's own.
const COMPACT_MIN = 5;
const COMPACT_MAX = 10;
type HeadersMaker = new () => IncomingHttpHeaders;

function headersMaker(): HeadersMaker {
  function HandshakeHeaders(): void {
    // its objects get their headers from compactHeaders
  }
  HandshakeHeaders.prototype = Object.prototype;
  return HandshakeHeaders as unknown as HeadersMaker;
}

const headersMakers: readonly HeadersMaker[] = Array.from({ length: COMPACT_MAX + 1 }, headersMaker);

/** A copy of `headers` held in less memory, or `headers` itself when it is not a plain record of 5-10 headers. */
function compactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  if (typeof headers !== "object" || headers === null || Object.getPrototypeOf(headers) !== Object.prototype || !Object.isExtensible(headers)) return headers;
  const keys = Object.keys(headers);
  const n = keys.length;
  if (n < COMPACT_MIN || n > COMPACT_MAX || Reflect.ownKeys(headers).length !== n) return headers;
  for (let i = 0; i < n; i++) {
    const d = Object.getOwnPropertyDescriptor(headers, keys[i]!);
    // only the plain data properties Node makes (an accessor has no `writable`; nothing an
    // assignment would not copy)
    if (keys[i] === "__proto__" || d?.writable !== true || !d.configurable) return headers;
  }
  const copy = new headersMakers[n]!();
  for (let i = 0; i < n; i++) copy[keys[i]!] = headers[keys[i]!];
  return copy;
}

// #bits: HTTP major version (bits 0-7), minor version (bits 8-15), then the three flags
const UPGRADE = 1 << 16;
const COMPLETE = 1 << 17;
const ABORTED = 1 << 18;

/**
 * The fields of a handshake request that outlive the handshake. The version and the three flags
 * live in one small integer (`httpVersion` is made from it: no string per request); each is read
 * and written like the `IncomingMessage` field of the same name.
 */
class HandshakeRequest {
  readonly headers: IncomingHttpHeaders;
  url: string | undefined;
  method: string | undefined;
  socket: NetSocket;
  #bits: number;

  constructor(req: IncomingMessage) {
    this.headers = compactHeaders(req.headers);
    this.url = req.url === undefined ? undefined : urls.intern(req.url);
    this.method = req.method;
    this.socket = req.socket;
    this.#bits = (req.httpVersionMajor & 0xff) | ((req.httpVersionMinor & 0xff) << 8) | COMPLETE;
    if ((req as IncomingMessage & { upgrade?: boolean }).upgrade === true) this.#bits |= UPGRADE;
  }

  get httpVersionMajor(): number {
    return this.#bits & 0xff;
  }

  set httpVersionMajor(value: number) {
    this.#bits = (this.#bits & ~0xff) | (value & 0xff);
  }

  get httpVersionMinor(): number {
    return (this.#bits >> 8) & 0xff;
  }

  set httpVersionMinor(value: number) {
    this.#bits = (this.#bits & ~0xff00) | ((value & 0xff) << 8);
  }

  /** `"1.1"`, as `IncomingMessage#httpVersion` (made from the major and minor versions). */
  get httpVersion(): string {
    const major = this.#bits & 0xff;
    const minor = (this.#bits >> 8) & 0xff;
    return major === 1 && minor === 1 ? "1.1" : `${major}.${minor}`;
  }

  set httpVersion(value: string) {
    const [major, minor] = String(value).split(".");
    this.httpVersionMajor = Number(major) || 0;
    this.httpVersionMinor = Number(minor) || 0;
  }

  get upgrade(): boolean {
    return (this.#bits & UPGRADE) !== 0;
  }

  set upgrade(value: boolean) {
    this.#bits = withBit(this.#bits, UPGRADE, value);
  }

  get complete(): boolean {
    return (this.#bits & COMPLETE) !== 0;
  }

  set complete(value: boolean) {
    this.#bits = withBit(this.#bits, COMPLETE, value);
  }

  get aborted(): boolean {
    return (this.#bits & ABORTED) !== 0;
  }

  set aborted(value: boolean) {
    this.#bits = withBit(this.#bits, ABORTED, value);
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
  const headers = req.headers;
  if (typeof headers === "object" && headers !== null) internHeaders(headers);
  for (const key of Reflect.ownKeys(req)) if (!PRISTINE_KEYS.has(key)) return req;
  return new HandshakeRequest(req) as unknown as IncomingMessage;
}
