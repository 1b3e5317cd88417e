/**
 * @module socket/v2-clients — what differs for socket.io v2 clients (Engine.IO v3, `allowEIO3`),
 * kept out of the v4 paths. Those clients speak Socket.IO protocol v4 (the parser's wire format
 * is the same as v5's) with four differences, handled as socket.io 4 does:
 * - the main namespace is joined without a CONNECT from the client (the server joins it at once);
 * - a CONNECT names `/nsp?query`: the query becomes `socket.handshake.auth`;
 * - the server's CONNECT carries no `{ sid }`: the client derives the socket id itself, as
 *   `<nsp>#<engine id>` (or the engine id for `/`), so the server uses the same id;
 * - a refused CONNECT is an ERROR packet whose data is the error's `data`, else its message.
 */

/** True for a connection from a socket.io v2 client. */
export function isV2Client(conn: { readonly protocol: number }): boolean {
  return conn.protocol === 3;
}

/**
 * Splits a v2 CONNECT's namespace into the name and the auth (its query, as plain strings).
 *
 * @param nsp the packet's namespace, e.g. `/admin?token=abc`
 * @returns the namespace name and the auth object
 * @example
 * parseV2Namespace("/admin?token=abc"); // { name: "/admin", auth: { token: "abc" } }
 */
export function parseV2Namespace(nsp: string): { name: string; auth: Record<string, string> } {
  const q = nsp.indexOf("?");
  const auth: Record<string, string> = {};
  if (q === -1) return { name: nsp, auth };
  for (const [k, v] of new URLSearchParams(nsp.slice(q + 1))) {
    // a key like "__proto__" stays an own property
    Object.defineProperty(auth, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { name: nsp.slice(0, q), auth };
}

/**
 * The socket id a v2 client computes for itself.
 *
 * @param nsp the namespace name
 * @param engineId the Engine.IO session id
 * @returns `engineId` for `/`, otherwise `<nsp>#<engineId>`
 */
export function v2SocketId(nsp: string, engineId: string): string {
  return nsp === "/" ? engineId : `${nsp}#${engineId}`;
}

/**
 * The data of the ERROR packet refusing a v2 client's CONNECT (a middleware's `next(err)`).
 *
 * @param err the middleware error
 * @returns `err.data` when set (truthy), else `err.message`
 */
export function v2ConnectErrorData(err: Error & { data?: unknown }): unknown {
  return err.data || err.message;
}
