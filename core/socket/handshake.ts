/**
 * @module socket/handshake — a socket's identity: its random id, and its immutable `handshake`
 * built from the Engine.IO handshake request. Only this object keeps the request's headers.
 */
import { nameTable } from "../util/listener-table.js";
import { generateId } from "../util/ids.js";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

/**
 * A socket id: 20 base64url characters, 120 random bits (unguessable), taken from the engine's
 * pooled random bytes (one `randomFillSync` per 256 ids instead of a `randomBytes` call per socket).
 */
export function generateSocketId(): string {
  return generateId();
}

/** The handshake details of a socket (socket.io's `Handshake`). */
export interface Handshake {
  /** The headers of the first request of the session. */
  readonly headers: IncomingMessage["headers"];
  /** When the handshake happened, as a date string. */
  readonly time: string;
  /** The peer address. */
  readonly address: string;
  /** Whether the request was cross-site (it had an Origin header). */
  readonly xdomain: boolean;
  /** Whether the connection is TLS. */
  readonly secure: boolean;
  /** When the handshake happened, in ms since the epoch. */
  readonly issued: number;
  /** The request URL. */
  readonly url: string;
  /** The query parameters of the request URL. */
  readonly query: Record<string, string | string[] | undefined>;
  /** The `auth` payload of the CONNECT packet. */
  readonly auth: Record<string, unknown>;
}

/**
 * Builds a Handshake.
 *
 * @param req the Engine.IO handshake request (`undefined` for a transport without one)
 * @param address the peer address
 * @param auth the CONNECT payload (an object, or undefined)
 * @returns a frozen Handshake
 */
export function buildHandshake(req: IncomingMessage | undefined, address: string, auth: unknown): Handshake {
  const now = new Date();
  if (req === undefined) {
    // A connection without an HTTP request (a transport that has none): empty headers and
    // query, and `secure: true`, as socket.io builds it.
    return Object.freeze({
      headers: {},
      time: now.toString(),
      address,
      xdomain: false,
      secure: true,
      issued: now.getTime(),
      url: "",
      query: Object.create(null) as Record<string, string>,
      auth: typeof auth === "object" && auth !== null ? (auth as Record<string, unknown>) : {},
    });
  }
  const url = req.url ?? "/";
  return Object.freeze({
    headers: req.headers,
    time: now.toString(),
    address,
    xdomain: req.headers.origin !== undefined,
    secure: (req.socket as TLSSocket | undefined)?.encrypted === true,
    issued: now.getTime(),
    url,
    query: parseQuery(url),
    auth: typeof auth === "object" && auth !== null ? (auth as Record<string, unknown>) : {},
  });
}

function parseQuery(url: string): Record<string, string | string[] | undefined> {
  // no inherited names, in fast mode (a null-prototype object is a dictionary: ≈ 160 B more per connection)
  const out = nameTable<string | string[] | undefined>();
  const q = url.indexOf("?");
  if (q === -1) return out;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
