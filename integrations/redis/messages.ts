/**
 * @module redis/messages — the messages nodes exchange, in the adapter's own terms, and their
 * validation on receipt.
 *
 * This is the model the adapter works with; the protocols (protocol-classic.ts for
 * `createAdapter`, protocol-sharded.ts for `createShardedAdapter`) translate it to and from what
 * travels on Redis, with socket.io's type numbers and field names. Every message names its sender
 * (`uid`) so a node ignores its own; requests that expect answers carry a request id (`rid`). A
 * received message is untrusted until {@link parseMessage} has checked its shape.
 */
import { createError, type SocketDetails } from "./core.js";

/** Message kinds of the model (not the numbers on the wire: see the protocol modules). */
export const MESSAGE_TYPE = {
  BROADCAST: 1,
  BROADCAST_CLIENT_COUNT: 2,
  BROADCAST_ACK: 3,
  SOCKETS_JOIN: 4,
  SOCKETS_LEAVE: 5,
  DISCONNECT_SOCKETS: 6,
  FETCH_SOCKETS: 7,
  FETCH_SOCKETS_RESPONSE: 8,
  SERVER_SIDE_EMIT: 9,
  SERVER_SIDE_EMIT_RESPONSE: 10,
  ALL_ROOMS: 11,
  ALL_ROOMS_RESPONSE: 12,
} as const;

type T = typeof MESSAGE_TYPE;

/** Broadcast targeting as it travels: rooms and exceptions as arrays, flags as they are. */
export interface WireOptions {
  rooms: string[];
  except: string[];
  flags: Record<string, unknown>;
}

/** A socket as another node describes it in a fetchSockets answer. */
export interface WireSocket {
  id: string;
  handshake: SocketDetails["handshake"];
  rooms: string[];
  data: unknown;
}

/** Every message between nodes. */
export type NodeMessage =
  | { type: T["BROADCAST"]; uid: string; packet: unknown; opts: WireOptions; rid?: string; offset?: string }
  | { type: T["BROADCAST_CLIENT_COUNT"]; uid: string; rid: string; count: number }
  | { type: T["BROADCAST_ACK"]; uid: string; rid: string; args: unknown[] }
  | { type: T["SOCKETS_JOIN"] | T["SOCKETS_LEAVE"]; uid: string; opts: WireOptions; rooms: string[] }
  | { type: T["DISCONNECT_SOCKETS"]; uid: string; opts: WireOptions; close: boolean }
  | { type: T["FETCH_SOCKETS"]; uid: string; rid: string; opts: WireOptions }
  | { type: T["FETCH_SOCKETS_RESPONSE"]; uid: string; rid: string; sockets: WireSocket[] }
  | { type: T["SERVER_SIDE_EMIT"]; uid: string; rid?: string; data: unknown[] }
  | { type: T["SERVER_SIDE_EMIT_RESPONSE"]; uid: string; rid: string; arg: unknown }
  | { type: T["ALL_ROOMS"]; uid: string; rid: string }
  | { type: T["ALL_ROOMS_RESPONSE"]; uid: string; rid: string; rooms: string[] };

/** The message types that answer a request (they carry a `rid`). */
export type ResponseMessage = Extract<
  NodeMessage,
  { type: T["BROADCAST_CLIENT_COUNT"] | T["BROADCAST_ACK"] | T["FETCH_SOCKETS_RESPONSE"] | T["SERVER_SIDE_EMIT_RESPONSE"] | T["ALL_ROOMS_RESPONSE"] }
>;

function bad(why: string): never {
  throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", why);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

function checkOptions(v: unknown): WireOptions {
  // socket.io's requests carry no flags, and the emitter may leave `except` out.
  if (!isRecord(v)) return bad("invalid broadcast options");
  const rooms = v.rooms ?? [];
  const except = v.except ?? [];
  const flags = v.flags ?? {};
  if (!isStringArray(rooms) || !isStringArray(except) || !isRecord(flags)) return bad("invalid broadcast options");
  return { rooms, except, flags };
}

function checkSocket(v: unknown): WireSocket {
  if (!isRecord(v) || typeof v.id !== "string" || !isStringArray(v.rooms) || !isRecord(v.handshake)) {
    return bad("invalid socket description");
  }
  // the other node's handshake, as it serialized its own: shown as it came
  return { id: v.id, handshake: v.handshake as unknown as SocketDetails["handshake"], rooms: v.rooms, data: v.data };
}

function str(m: Record<string, unknown>, key: string): string {
  const v = m[key];
  return typeof v === "string" ? v : bad(`"${key}" must be a string`);
}

function optStr(m: Record<string, unknown>, key: string): string | undefined {
  return m[key] === undefined ? undefined : str(m, key);
}

/**
 * Checks a decoded value and returns it as a typed message.
 *
 * @param value the result of decoding a frame
 * @returns the message
 * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the shape does not match its type
 * @example
 * parseMessage({ type: 11, uid: "n1", rid: "r1" }); // { type: MESSAGE_TYPE.ALL_ROOMS, … }
 */
export function parseMessage(value: unknown): NodeMessage {
  if (!isRecord(value)) return bad("not an object");
  const uid = str(value, "uid");
  const { type } = value;
  switch (type) {
    case MESSAGE_TYPE.BROADCAST: {
      const rid = optStr(value, "rid");
      const offset = optStr(value, "offset");
      const packet = value.packet;
      if (!isRecord(packet) || typeof packet.type !== "number" || typeof packet.nsp !== "string") return bad("invalid packet");
      if (packet.data !== undefined && !Array.isArray(packet.data)) return bad("a packet's data must be an array");
      const msg: NodeMessage = { type, uid, packet, opts: checkOptions(value.opts) };
      if (rid !== undefined) msg.rid = rid;
      if (offset !== undefined) msg.offset = offset;
      return msg;
    }
    case MESSAGE_TYPE.BROADCAST_CLIENT_COUNT: {
      const count = value.count;
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) return bad("invalid client count");
      return { type, uid, rid: str(value, "rid"), count };
    }
    case MESSAGE_TYPE.BROADCAST_ACK:
      if (!Array.isArray(value.args)) return bad("ack arguments must be an array");
      return { type, uid, rid: str(value, "rid"), args: value.args };
    case MESSAGE_TYPE.SOCKETS_JOIN:
    case MESSAGE_TYPE.SOCKETS_LEAVE:
      if (!isStringArray(value.rooms)) return bad("rooms must be strings");
      return { type, uid, opts: checkOptions(value.opts), rooms: value.rooms };
    case MESSAGE_TYPE.DISCONNECT_SOCKETS:
      return { type, uid, opts: checkOptions(value.opts), close: value.close === true };
    case MESSAGE_TYPE.FETCH_SOCKETS:
      return { type, uid, rid: str(value, "rid"), opts: checkOptions(value.opts) };
    case MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE:
      if (!Array.isArray(value.sockets)) return bad("sockets must be an array");
      return { type, uid, rid: str(value, "rid"), sockets: value.sockets.map(checkSocket) };
    case MESSAGE_TYPE.SERVER_SIDE_EMIT: {
      if (!Array.isArray(value.data) || typeof value.data[0] !== "string") return bad("serverSideEmit needs an event name");
      const rid = optStr(value, "rid");
      return rid === undefined ? { type, uid, data: value.data } : { type, uid, rid, data: value.data };
    }
    case MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE:
      return { type, uid, rid: str(value, "rid"), arg: value.arg };
    case MESSAGE_TYPE.ALL_ROOMS:
      return { type, uid, rid: str(value, "rid") };
    case MESSAGE_TYPE.ALL_ROOMS_RESPONSE:
      if (!isStringArray(value.rooms)) return bad("rooms must be strings");
      return { type, uid, rid: str(value, "rid"), rooms: value.rooms };
    default:
      return bad(`unknown message type ${String(type)}`);
  }
}

/** True for the messages that answer a request. */
export function isResponse(m: NodeMessage): m is ResponseMessage {
  return (
    m.type === MESSAGE_TYPE.BROADCAST_CLIENT_COUNT ||
    m.type === MESSAGE_TYPE.BROADCAST_ACK ||
    m.type === MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE ||
    m.type === MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE ||
    m.type === MESSAGE_TYPE.ALL_ROOMS_RESPONSE
  );
}
