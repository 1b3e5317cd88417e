/**
 * @module redis/protocol-sharded — the wire of `@socket.io/redis-adapter` 8.x's
 * `createShardedAdapter` (sharded Pub/Sub, Redis 7+), i.e. the messages of socket.io-adapter's
 * `ClusterAdapter`.
 *
 * | channel | what travels there |
 * | --- | --- |
 * | `<prefix>#<nsp>#` | every message to every node (SHARDNUMSUB counts the nodes) |
 * | `<prefix>#<nsp>#<uid>#` | answers to node `uid` |
 * | `<prefix>#<nsp>#<room>#` | "dynamic" modes: broadcasts (without ack) to exactly that one room |
 *
 * A message is `{ uid, nsp, type, data }` with socket.io-adapter's `MessageType`: 3 BROADCAST,
 * 4 SOCKETS_JOIN, 5 SOCKETS_LEAVE, 6 DISCONNECT_SOCKETS, 7 FETCH_SOCKETS,
 * 8 FETCH_SOCKETS_RESPONSE, 9 SERVER_SIDE_EMIT, 10 SERVER_SIDE_EMIT_RESPONSE,
 * 11 BROADCAST_CLIENT_COUNT, 12 BROADCAST_ACK (1, 2 and 13 are heartbeats, not used here). It is
 * MessagePack (socket.io's nodes send JSON when there is no binary; both are read). Ours on top:
 * 100 ALL_ROOMS and 101 ALL_ROOMS_RESPONSE (socket.io's nodes ignore them, so `allRooms()` with
 * socket.io nodes present waits for its timeout), and `opts.offset` for recovery.
 */
import { decodeWith, encodeWith, msgpack } from "./codec.js";
import { createError } from "./core.js";
import { MESSAGE_TYPE, parseMessage, type NodeMessage } from "./messages.js";
import type { SubscriptionMode } from "./options.js";
import { storedBroadcast, type Outgoing, type StoredBroadcast, type Wire } from "./wires.js";

/** socket.io-adapter's `MessageType`, plus ours. */
export const CLUSTER_TYPE = {
  INITIAL_HEARTBEAT: 1,
  HEARTBEAT: 2,
  BROADCAST: 3,
  SOCKETS_JOIN: 4,
  SOCKETS_LEAVE: 5,
  DISCONNECT_SOCKETS: 6,
  FETCH_SOCKETS: 7,
  FETCH_SOCKETS_RESPONSE: 8,
  SERVER_SIDE_EMIT: 9,
  SERVER_SIDE_EMIT_RESPONSE: 10,
  BROADCAST_CLIENT_COUNT: 11,
  BROADCAST_ACK: 12,
  ADAPTER_CLOSE: 13,
  ALL_ROOMS: 100,
  ALL_ROOMS_RESPONSE: 101,
} as const;

/** socket.io's own rule for telling a socket's room from a public one when publishing. */
const SOCKET_ID_LENGTH = 20;

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(why: string): never {
  throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", why);
}

/** The sharded wire of one namespace on one node. */
export class ShardedWire implements Wire {
  readonly channels: readonly string[];
  readonly patterns: readonly string[] = [];
  readonly countChannel: string;
  #channel: string;
  #response: string;
  #nsp: string;
  #mode: SubscriptionMode;

  /**
   * @param prefix the channel prefix
   * @param mode the subscription mode
   * @param nsp the namespace name
   * @param uid this node's id for the namespace
   */
  constructor(prefix: string, mode: SubscriptionMode, nsp: string, uid: string) {
    this.#nsp = nsp;
    this.#mode = mode;
    this.#channel = `${prefix}#${nsp}#`;
    this.#response = `${this.#channel}${uid}#`;
    this.channels = Object.freeze([this.#channel, this.#response]);
    this.countChannel = this.#channel;
  }

  encode(m: NodeMessage, to?: string): Outgoing {
    const { type, data } = this.#toCluster(m);
    let channel = this.#channel;
    if (to !== undefined && type !== CLUSTER_TYPE.BROADCAST) channel = `${this.#channel}${to}#`;
    else if (m.type === MESSAGE_TYPE.BROADCAST && m.rid === undefined && m.offset === undefined && m.opts.rooms.length === 1) {
      // A broadcast with ack cannot use a room channel: the node count is that of every node.
      // Nor can a recoverable one: the script that streams and publishes it touches one slot,
      // the namespace channel's (every node hears that one too).
      const room = m.opts.rooms[0]!;
      const dynamic = this.#mode === "dynamic-private" || (this.#mode === "dynamic" && room.length !== SOCKET_ID_LENGTH);
      if (dynamic) channel = `${this.#channel}${room}#`;
    }
    return { channel, bytes: encodeWith(msgpack, { uid: m.uid, nsp: this.#nsp, type, data }) };
  }

  decode(_channel: string, bytes: Buffer): NodeMessage | undefined {
    return this.#fromCluster(decodeWith(msgpack, bytes));
  }

  readStored(bytes: Buffer): StoredBroadcast | undefined {
    let m: NodeMessage | undefined;
    try {
      m = this.#fromCluster(decodeWith(msgpack, bytes));
    } catch {
      return undefined;
    }
    return storedBroadcast(m);
  }

  roomChannel(room: string, isPrivate: boolean): string | undefined {
    if (this.#mode === "dynamic-private" || (this.#mode === "dynamic" && !isPrivate)) return `${this.#channel}${room}#`;
    return undefined;
  }

  #toCluster(m: NodeMessage): { type: number; data: Rec } {
    const opts = (o: { rooms: string[]; except: string[]; flags: Record<string, unknown> }): Rec => ({ rooms: o.rooms, except: o.except, flags: o.flags });
    switch (m.type) {
      case MESSAGE_TYPE.BROADCAST: {
        const o = opts(m.opts);
        if (m.offset !== undefined) o.offset = m.offset;
        return { type: CLUSTER_TYPE.BROADCAST, data: m.rid === undefined ? { packet: m.packet, opts: o } : { packet: m.packet, requestId: m.rid, opts: o } };
      }
      case MESSAGE_TYPE.SOCKETS_JOIN:
        return { type: CLUSTER_TYPE.SOCKETS_JOIN, data: { opts: opts(m.opts), rooms: m.rooms } };
      case MESSAGE_TYPE.SOCKETS_LEAVE:
        return { type: CLUSTER_TYPE.SOCKETS_LEAVE, data: { opts: opts(m.opts), rooms: m.rooms } };
      case MESSAGE_TYPE.DISCONNECT_SOCKETS:
        return { type: CLUSTER_TYPE.DISCONNECT_SOCKETS, data: { opts: opts(m.opts), close: m.close } };
      case MESSAGE_TYPE.FETCH_SOCKETS:
        return { type: CLUSTER_TYPE.FETCH_SOCKETS, data: { opts: opts(m.opts), requestId: m.rid } };
      case MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE:
        return { type: CLUSTER_TYPE.FETCH_SOCKETS_RESPONSE, data: { requestId: m.rid, sockets: m.sockets } };
      case MESSAGE_TYPE.SERVER_SIDE_EMIT:
        return { type: CLUSTER_TYPE.SERVER_SIDE_EMIT, data: m.rid === undefined ? { packet: m.data } : { requestId: m.rid, packet: m.data } };
      case MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE:
        return { type: CLUSTER_TYPE.SERVER_SIDE_EMIT_RESPONSE, data: { requestId: m.rid, packet: m.arg } };
      case MESSAGE_TYPE.BROADCAST_CLIENT_COUNT:
        return { type: CLUSTER_TYPE.BROADCAST_CLIENT_COUNT, data: { requestId: m.rid, clientCount: m.count } };
      case MESSAGE_TYPE.BROADCAST_ACK:
        return { type: CLUSTER_TYPE.BROADCAST_ACK, data: { requestId: m.rid, packet: m.args[0] } };
      case MESSAGE_TYPE.ALL_ROOMS:
        return { type: CLUSTER_TYPE.ALL_ROOMS, data: { requestId: m.rid } };
      case MESSAGE_TYPE.ALL_ROOMS_RESPONSE:
        return { type: CLUSTER_TYPE.ALL_ROOMS_RESPONSE, data: { requestId: m.rid, rooms: m.rooms } };
    }
  }

  #fromCluster(v: unknown): NodeMessage | undefined {
    if (!isRecord(v)) return bad("a message must be an object");
    if (v.nsp !== this.#nsp) return typeof v.nsp === "string" ? undefined : bad("a message names its namespace");
    const { uid, type } = v;
    if (type === CLUSTER_TYPE.INITIAL_HEARTBEAT || type === CLUSTER_TYPE.HEARTBEAT || type === CLUSTER_TYPE.ADAPTER_CLOSE) return undefined;
    const d = v.data;
    if (!isRecord(d)) return bad("a message needs its data");
    const rid = d.requestId;
    switch (type) {
      case CLUSTER_TYPE.BROADCAST: {
        const offset = isRecord(d.opts) && typeof d.opts.offset === "string" ? d.opts.offset : undefined;
        if (isRecord(d.packet)) d.packet.nsp ??= this.#nsp;
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST, uid, rid, packet: d.packet, opts: d.opts, offset });
      }
      case CLUSTER_TYPE.SOCKETS_JOIN:
        return parseMessage({ type: MESSAGE_TYPE.SOCKETS_JOIN, uid, opts: d.opts, rooms: d.rooms });
      case CLUSTER_TYPE.SOCKETS_LEAVE:
        return parseMessage({ type: MESSAGE_TYPE.SOCKETS_LEAVE, uid, opts: d.opts, rooms: d.rooms });
      case CLUSTER_TYPE.DISCONNECT_SOCKETS:
        return parseMessage({ type: MESSAGE_TYPE.DISCONNECT_SOCKETS, uid, opts: d.opts, close: d.close });
      case CLUSTER_TYPE.FETCH_SOCKETS:
        return parseMessage({ type: MESSAGE_TYPE.FETCH_SOCKETS, uid, rid, opts: d.opts });
      case CLUSTER_TYPE.FETCH_SOCKETS_RESPONSE:
        return parseMessage({ type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE, uid, rid, sockets: d.sockets });
      case CLUSTER_TYPE.SERVER_SIDE_EMIT:
        return parseMessage({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid, rid, data: d.packet });
      case CLUSTER_TYPE.SERVER_SIDE_EMIT_RESPONSE:
        return parseMessage({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE, uid, rid, arg: d.packet });
      case CLUSTER_TYPE.BROADCAST_CLIENT_COUNT:
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST_CLIENT_COUNT, uid, rid, count: d.clientCount });
      case CLUSTER_TYPE.BROADCAST_ACK:
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST_ACK, uid, rid, args: [d.packet] });
      case CLUSTER_TYPE.ALL_ROOMS:
        return parseMessage({ type: MESSAGE_TYPE.ALL_ROOMS, uid, rid });
      case CLUSTER_TYPE.ALL_ROOMS_RESPONSE:
        return parseMessage({ type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid, rid, rooms: d.rooms });
      default:
        return bad(`unknown message type ${String(type)}`);
    }
  }
}
