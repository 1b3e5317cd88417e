/**
 * @module socket/moved-state — what the Socket.IO layer hands over when a session moves to
 * another node (no sticky sessions: its WebSocket upgrade landed there; see
 * engine/remote-sessions.ts). Plain data, for the cluster to carry (`socket.data` must be
 * serializable, as for connection state recovery and `fetchSockets()`).
 */
import type { Handshake } from "./handshake.js";
import type { AckCallback } from "./acks.js";
import type { MovedPacket } from "../engine/remote-sessions.js";

/** One Socket.IO socket of a moving session. */
export interface MovedSocketState {
  /** The namespace's name. */
  nsp: string;
  /** The socket id (kept). */
  id: string;
  /** The private session id of connection state recovery, when it is on. */
  pid?: string;
  /** Its rooms, its own id included. */
  rooms: string[];
  data: unknown;
  handshake: Handshake;
  /** The ids of the server → client acks the old node still waits for. */
  acks: number[];
}

/** The Socket.IO layer of a moving session. */
export interface MovedClientState {
  sockets: MovedSocketState[];
}

/** A server → client ack the old node keeps waiting for after the move: the answer is forwarded to it. */
export interface HeldAck {
  nsp: string;
  id: number;
  fn: AckCallback;
}

/** What the old node's Socket.IO server gives the cluster for a move. */
export interface MoveOut {
  packets: MovedPacket[];
  state: MovedClientState;
  acks: HeldAck[];
}

/**
 * Checks the shape of a state received from another node (the cluster's channel may carry
 * anything): the fields the restore reads.
 *
 * @param v the received value
 * @returns the state, or `undefined`
 */
export function asMovedClientState(v: unknown): MovedClientState | undefined {
  if (typeof v !== "object" || v === null || !Array.isArray((v as { sockets?: unknown }).sockets)) return undefined;
  for (const s of (v as { sockets: unknown[] }).sockets) {
    if (typeof s !== "object" || s === null) return undefined;
    const o = s as Record<string, unknown>;
    if (typeof o.nsp !== "string" || typeof o.id !== "string" || (o.pid !== undefined && o.pid !== null && typeof o.pid !== "string")) return undefined;
    if (!Array.isArray(o.rooms) || !o.rooms.every((r) => typeof r === "string")) return undefined;
    if (!Array.isArray(o.acks) || !o.acks.every((a) => Number.isInteger(a))) return undefined;
    if (typeof o.handshake !== "object" || o.handshake === null) return undefined;
  }
  return v as MovedClientState;
}
