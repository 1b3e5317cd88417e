/**
 * @module engine/handshake — verifies an incoming request (Engine.IO error codes 0–5) and the small
 * wire helpers of the handshake: path matching and the session cookie.
 *
 * engine.io-protocol-v4.md § "Handshake" and § "HTTP long-polling": `EIO=4` and a known
 * `transport` are mandatory, a `sid` must name an open session, a handshake is a GET.
 */
import type { IncomingMessage } from "node:http";
import type { EngineQuery } from "../util/http.js";
import { ENGINE_ERRORS, ENGINE_PROTOCOL, type Refusal } from "./constants.js";

export type { Refusal };
import type { ResolvedEngineOptions } from "./options.js";
import type { Socket } from "./socket.js";
import { verifyV3Query } from "./polling-v3.js";


/**
 * Checks a request against the protocol, the options and the open sessions.
 *
 * @param req the request (polling) or upgrade request
 * @param query its parsed query
 * @param upgrade true for a WebSocket upgrade
 * @param opts resolved engine options
 * @param clients open sessions by id
 * @returns `undefined` when the request may proceed, otherwise the refusal
 */
export async function verifyRequest(
  req: IncomingMessage,
  query: EngineQuery,
  upgrade: boolean,
  opts: ResolvedEngineOptions,
  clients: Readonly<Record<string, Socket>>,
): Promise<Refusal | undefined> {
  const refusal = checkRequest(req, query, upgrade, opts, clients);
  if (refusal !== undefined || query.sid !== undefined) return refusal;
  const allow = opts.allowRequest;
  if (allow === undefined) return undefined;
  const [err, ok] = await new Promise<[string | null | undefined, boolean]>((resolve) => {
    try {
      allow(req, (e, success) => resolve([e, success]));
    } catch (e) {
      resolve([e instanceof Error ? e.message : String(e), false]);
    }
  });
  if (ok) return undefined;
  return { code: ENGINE_ERRORS.FORBIDDEN, message: typeof err === "string" && err !== "" ? err : undefined, context: {} };
}

/**
 * The synchronous part of {@link verifyRequest}: everything but `allowRequest`, which only a
 * handshake (no `sid`) goes through. A request of an open session is verified by this alone.
 *
 * @param req the request (polling) or upgrade request
 * @param query its parsed query
 * @param upgrade true for a WebSocket upgrade
 * @param opts resolved engine options
 * @param clients open sessions by id
 * @returns `undefined` when the request may proceed (a handshake: to `allowRequest`), otherwise the refusal
 */
export function checkRequest(
  req: IncomingMessage,
  query: EngineQuery,
  upgrade: boolean,
  opts: ResolvedEngineOptions,
  clients: Readonly<Record<string, Socket>>,
): Refusal | undefined {
  const transport = query.transport;
  if (transport === undefined || !(opts.transports as readonly string[]).includes(transport)) {
    return { code: ENGINE_ERRORS.UNKNOWN_TRANSPORT, context: { transport } };
  }
  if (upgrade !== (transport === "websocket")) {
    // an upgrade must ask for websocket, and websocket only comes by upgrade
    return { code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "TRANSPORT_MISMATCH", transport } };
  }
  const sid = query.sid;
  if (sid !== undefined) {
    const session = clients[sid];
    if (session === undefined) return { code: ENGINE_ERRORS.UNKNOWN_SID, context: { sid } };
    if (!upgrade && session.transport.name !== transport) {
      return { code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "TRANSPORT_MISMATCH", transport } };
    }
    // An upgrade of a session already upgraded or upgrading is not refused here: its WebSocket
    // handshake completes and the server then closes it (Engine.IO v4, as engine.io does).
    if (upgrade && !opts.allowUpgrades) {
      return { code: ENGINE_ERRORS.BAD_REQUEST, context: { name: "UPGRADE_REFUSED", sid } };
    }
    return undefined;
  }
  if (req.method !== "GET") return { code: ENGINE_ERRORS.BAD_HANDSHAKE_METHOD, context: { method: req.method } };
  if (query.EIO !== String(ENGINE_PROTOCOL)) {
    // Engine.IO v3 (socket.io v2 clients) only with allowEIO3; its own query checks in polling-v3.ts
    if (query.EIO !== "3" || !opts.allowEIO3) {
      return { code: ENGINE_ERRORS.UNSUPPORTED_PROTOCOL_VERSION, context: { protocol: query.EIO } };
    }
    const v3Refusal = verifyV3Query(query);
    if (v3Refusal !== undefined) return v3Refusal;
  }
  return undefined;
}

/** True when `url`'s pathname is `path` (or `path/` when trailing slashes are allowed). */
export function matchesPath(url: string | undefined, path: string, trailing: boolean): boolean {
  if (url === undefined || !url.startsWith(path)) return false;
  const rest = url.charCodeAt(path.length);
  // end of string, "?" or (with trailing slash allowed) "/" followed by end or "?"
  if (Number.isNaN(rest) || rest === 63) return true;
  if (!trailing || rest !== 47) return false;
  const after = url.charCodeAt(path.length + 1);
  return Number.isNaN(after) || after === 63;
}

/**
 * Serializes the session cookie (`cookie` option).
 *
 * @param c resolved cookie options
 * @param value the session id
 * @returns the `Set-Cookie` value
 */
export function serializeCookie(c: Exclude<ResolvedEngineOptions["cookie"], false>, value: string): string {
  let out = `${c.name}=${encodeURIComponent(value)}`;
  if (c.path !== false) out += `; Path=${c.path}`;
  if (c.domain !== undefined) out += `; Domain=${c.domain}`;
  if (c.maxAge !== undefined) out += `; Max-Age=${Math.floor(c.maxAge)}`;
  if (c.httpOnly) out += "; HttpOnly";
  if (c.secure === true) out += "; Secure";
  if (c.sameSite !== false) {
    const s = c.sameSite === true ? "Strict" : c.sameSite[0]!.toUpperCase() + c.sameSite.slice(1);
    out += `; SameSite=${s}`;
  }
  return out;
}
