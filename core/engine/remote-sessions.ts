/**
 * @module engine/remote-sessions — the seam through which a cluster serves sessions opened on
 * another node (no sticky sessions, `socketeer/redis`'s `stickySessions: false`).
 *
 * The engine knows nothing of Redis. When a {@link RemoteSessions} is installed on it (under
 * {@link kRemoteSessions}) it does two things more, and nothing else changes:
 * - every new session id goes through `tagId`, so that any node can tell the id's owner;
 * - a polling request for a session that is not open here is offered to `relay` (after CORS and
 *   the `use()` middlewares ran here); when `relay` takes it, the owner node serves it through
 *   `engine[kServeRelayed]`, exactly as if it had arrived there, minus CORS and middlewares.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The engine's slot for the cluster's relay. */
export const kRemoteSessions: unique symbol = Symbol("socketeer.remoteSessions");
/** The engine's entry for a polling request relayed from another node. */
export const kServeRelayed: unique symbol = Symbol("socketeer.serveRelayed");

/** What a cluster plugs into the engine to serve sessions owned by other nodes. */
export interface RemoteSessions {
  /**
   * Marks a new session id with this node, so any node can find its owner.
   *
   * @param id the id from `generateId`
   * @returns the id the session gets
   */
  tagId(id: string): string;
  /**
   * Offers a polling request for a session not open on this node.
   *
   * @param sid the session id of the request
   * @param req the request (its body not read yet)
   * @param res its response
   * @param unknown answers the ordinary unknown-session error (when the owner is gone)
   * @returns false when the session belongs to no other node (the engine answers unknown
   *   session), true when the relay took the request and will answer it
   */
  relay(sid: string, req: IncomingMessage, res: ServerResponse, unknown: () => void): boolean;
}
