/**
 * @module engine/remote-sessions — the seam through which a cluster serves sessions opened on
 * another node (no sticky sessions, `socketeer/redis`'s `stickySessions: false`).
 *
 * The engine knows nothing of Redis. When a {@link RemoteSessions} is installed on it (under
 * {@link kRemoteSessions}) it does two things more, and nothing else changes:
 * - every new session id goes through `tagId`, so that any node can tell the id's owner;
 * - a polling request for a session that is not open here is offered to `relay` (after CORS and
 *   the `use()` middlewares ran here); when `relay` takes it, the owner node serves it through
 *   `engine[kServeRelayed]`, exactly as if it had arrived there, minus CORS and middlewares;
 * - a WebSocket upgrade for a session that is not open here is offered to `moveHere`: when it
 *   gives a {@link SessionMove}, the WebSocket handshake completes here and the session moves in
 *   (see engine/remote-upgrade.ts): the owner releases its pending GET at the probe and holds
 *   further packets (`engine[kHoldForMove]`), then hands the session over at the client's `5`
 *   (`kMoveOut` on the Socket.IO server, which calls `engine[kMoveOut]`) and forgets it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The engine's slot for the cluster's relay. */
export const kRemoteSessions: unique symbol = Symbol("socketeer.remoteSessions");
/** The engine's entry for a polling request relayed from another node. */
export const kServeRelayed: unique symbol = Symbol("socketeer.serveRelayed");

/** The engine's entry (owner side): hold a session's packets for a move (the client probed elsewhere). */
export const kHoldForMove: unique symbol = Symbol("socketeer.holdForMove");
/** The engine's entry (owner side): the move was abandoned, the session goes on over polling. */
export const kReleaseHold: unique symbol = Symbol("socketeer.releaseHold");
/** The engine's and the Socket.IO server's entry (owner side): hand a held session over, and forget it. */
export const kMoveOut: unique symbol = Symbol("socketeer.moveOut");
/** An engine session that moved in: what the Socket.IO layer restores (set before `connection`). */
export const kMovedIn: unique symbol = Symbol("socketeer.movedIn");

/** An Engine.IO packet still buffered on the old node, as it travels. */
export interface MovedPacket {
  type: "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";
  data?: string | Buffer;
}

/** A session handed over by its old node. */
export interface MovedSession {
  /** The Engine.IO packets the old node had buffered for the client, in order. */
  packets: MovedPacket[];
  /** The Socket.IO layer's state (its sockets), opaque to the engine. */
  state: unknown;
  /**
   * Sends the client's answer to an ack the old node waits for (a server → client ack emitted
   * before the move) back to it.
   */
  forwardAck(nsp: string, id: number, args: unknown[]): void;
}

/** One attempt to move a session of another node here (its WebSocket upgrade landed here). */
export interface SessionMove {
  /** The client sent `2probe`: the owner releases its pending GET (noop) and keeps further packets. */
  probe(): Promise<void>;
  /** The client sent `5`: the owner hands the session over and forgets it. */
  take(): Promise<MovedSession>;
  /** The attempt failed before `take` (probe timeout, WebSocket closed): the owner goes on over polling. */
  cancel(): void;
}

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
  /**
   * Offers a WebSocket upgrade for a session not open on this node.
   *
   * @param sid the session id of the upgrade
   * @returns the move, or `undefined` when the session belongs to no other node (the engine
   *   answers unknown session)
   */
  moveHere?(sid: string): SessionMove | undefined;
}
