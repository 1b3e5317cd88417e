/**
 * @module redis/protocol-classic — the wire of `@socket.io/redis-adapter` 8.x's `createAdapter`.
 *
 * Channels (prefix `key`, default `"socket.io"`):
 *
 * | channel | what travels there |
 * | --- | --- |
 * | `<key>#<nsp>#` | broadcasts to all or to several rooms: `[uid, packet, { rooms, except, flags }]` |
 * | `<key>#<nsp>#<room>#` | broadcasts to exactly one room (nodes subscribe with PSUBSCRIBE `<key>#<nsp>#*`) |
 * | `<key>-request#<nsp>#` | requests `{ uid, requestId?, type, … }` (every node subscribes; NUMSUB counts nodes) |
 * | `<key>-response#<nsp>#` | answers `{ requestId, … }` (every node subscribes) |
 * | `<key>-response#<nsp>#<uid>#` | answers to node `uid` with `publishOnSpecificResponseChannel` |
 *
 * Request types: 0 SOCKETS (legacy), 1 ALL_ROOMS, 2 REMOTE_JOIN, 3 REMOTE_LEAVE,
 * 4 REMOTE_DISCONNECT, 5 REMOTE_FETCH, 6 SERVER_SIDE_EMIT, 7 BROADCAST (with ack). Answers carry
 * no type except 6 (serverSideEmit answer), 8 BROADCAST_CLIENT_COUNT and 9 BROADCAST_ACK; the
 * others are told apart by their field (`sockets`, `rooms`). Messages are encoded with the
 * parser (MessagePack); JSON from socket.io's nodes and the emitter is read too.
 *
 * Ours on top, ignored by socket.io's nodes: answers name their sender (`uid`), and a broadcast
 * kept for connection state recovery carries its offset in `opts.offset` (not in the event's
 * arguments, so clients of socket.io's nodes never see it).
 */
import { decodeWith, encodeWith, type Parser } from "./codec.js";
import { createError } from "./core.js";
import { MESSAGE_TYPE, parseMessage, type NodeMessage, type WireOptions } from "./messages.js";
import { storedBroadcast, type Outgoing, type StoredBroadcast, type Wire } from "./wires.js";

/** socket.io's request types (`RequestType` of @socket.io/redis-adapter). */
export const REQUEST_TYPE = {
  SOCKETS: 0,
  ALL_ROOMS: 1,
  REMOTE_JOIN: 2,
  REMOTE_LEAVE: 3,
  REMOTE_DISCONNECT: 4,
  REMOTE_FETCH: 5,
  SERVER_SIDE_EMIT: 6,
  BROADCAST: 7,
  BROADCAST_CLIENT_COUNT: 8,
  BROADCAST_ACK: 9,
} as const;

/** The uid `@socket.io/redis-emitter` sends under (its requests may carry none). */
const EMITTER_UID = "emitter";

/** What the classic wire needs to know. */
export interface ClassicWireOptions {
  readonly key: string;
  readonly parser: Parser;
  readonly publishOnSpecificResponseChannel: boolean;
}

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Escapes the glob characters of PSUBSCRIBE patterns. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}

function bad(why: string): never {
  throw createError("SKT_ERR_REDIS_INVALID_MESSAGE", why);
}

function targetOf(opts: WireOptions): { rooms: string[]; except: string[] } {
  return { rooms: opts.rooms, except: opts.except };
}

/** The classic wire of one namespace on one node. */
export class ClassicWire implements Wire {
  readonly channels: readonly string[];
  readonly patterns: readonly string[];
  readonly countChannel: string;
  #broadcast: string;
  #request: string;
  #response: string;
  #nsp: string;
  #opts: ClassicWireOptions;
  /** Answers of socket.io's nodes name no sender: each counts as a distinct one. */
  #anonymous = 0;

  /**
   * @param opts prefix, parser, response channel choice
   * @param nsp the namespace name
   * @param uid this node's id for the namespace
   */
  constructor(opts: ClassicWireOptions, nsp: string, uid: string) {
    this.#opts = opts;
    this.#nsp = nsp;
    this.#broadcast = `${opts.key}#${nsp}#`;
    this.#request = `${opts.key}-request#${nsp}#`;
    this.#response = `${opts.key}-response#${nsp}#`;
    this.channels = Object.freeze([this.#request, this.#response, `${this.#response}${uid}#`]);
    this.patterns = Object.freeze([`${escapeGlob(this.#broadcast)}*`]);
    this.countChannel = this.#request;
  }

  encode(m: NodeMessage, to?: string): Outgoing {
    const answerTo = this.#opts.publishOnSpecificResponseChannel && to !== undefined ? `${this.#response}${to}#` : this.#response;
    const out = (channel: string, value: unknown): Outgoing => ({ channel, bytes: encodeWith(this.#opts.parser, value) });
    switch (m.type) {
      case MESSAGE_TYPE.BROADCAST: {
        const opts: Rec = { rooms: m.opts.rooms, except: m.opts.except, flags: m.opts.flags };
        if (m.rid !== undefined) {
          return out(this.#request, { uid: m.uid, requestId: m.rid, type: REQUEST_TYPE.BROADCAST, packet: m.packet, opts });
        }
        if (m.offset !== undefined) opts.offset = m.offset;
        const channel = m.opts.rooms.length === 1 ? `${this.#broadcast}${m.opts.rooms[0]}#` : this.#broadcast;
        return out(channel, [m.uid, m.packet, opts]);
      }
      case MESSAGE_TYPE.SOCKETS_JOIN:
      case MESSAGE_TYPE.SOCKETS_LEAVE: {
        const type = m.type === MESSAGE_TYPE.SOCKETS_JOIN ? REQUEST_TYPE.REMOTE_JOIN : REQUEST_TYPE.REMOTE_LEAVE;
        return out(this.#request, { uid: m.uid, type, opts: targetOf(m.opts), rooms: m.rooms });
      }
      case MESSAGE_TYPE.DISCONNECT_SOCKETS:
        return out(this.#request, { uid: m.uid, type: REQUEST_TYPE.REMOTE_DISCONNECT, opts: targetOf(m.opts), close: m.close });
      case MESSAGE_TYPE.FETCH_SOCKETS:
        return out(this.#request, { uid: m.uid, requestId: m.rid, type: REQUEST_TYPE.REMOTE_FETCH, opts: targetOf(m.opts) });
      case MESSAGE_TYPE.SERVER_SIDE_EMIT: {
        const request: Rec = { uid: m.uid, type: REQUEST_TYPE.SERVER_SIDE_EMIT, data: m.data };
        if (m.rid !== undefined) request.requestId = m.rid;
        return out(this.#request, request);
      }
      case MESSAGE_TYPE.ALL_ROOMS:
        return out(this.#request, { uid: m.uid, requestId: m.rid, type: REQUEST_TYPE.ALL_ROOMS });
      case MESSAGE_TYPE.BROADCAST_CLIENT_COUNT:
        return out(answerTo, { uid: m.uid, type: REQUEST_TYPE.BROADCAST_CLIENT_COUNT, requestId: m.rid, clientCount: m.count });
      case MESSAGE_TYPE.BROADCAST_ACK:
        return out(answerTo, { uid: m.uid, type: REQUEST_TYPE.BROADCAST_ACK, requestId: m.rid, packet: m.args[0] });
      case MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE:
        return out(answerTo, { uid: m.uid, requestId: m.rid, sockets: m.sockets });
      case MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE:
        return out(answerTo, { uid: m.uid, type: REQUEST_TYPE.SERVER_SIDE_EMIT, requestId: m.rid, data: m.arg });
      case MESSAGE_TYPE.ALL_ROOMS_RESPONSE:
        return out(answerTo, { uid: m.uid, requestId: m.rid, rooms: m.rooms });
    }
  }

  decode(channel: string, bytes: Buffer, hasRoom: (room: string) => boolean): NodeMessage | undefined {
    if (channel.startsWith(this.#broadcast)) {
      const room = channel.slice(this.#broadcast.length, -1);
      // A broadcast to one room this node lacks reaches nobody here: not even decoded.
      if (room !== "" && !hasRoom(room)) return undefined;
      return this.#decodeBroadcast(decodeWith(this.#opts.parser, bytes));
    }
    const value = decodeWith(this.#opts.parser, bytes);
    if (!isRecord(value)) return bad("a request or answer must be an object");
    if (channel === this.#request) return this.#decodeRequest(value);
    if (channel.startsWith(this.#response)) return this.#decodeAnswer(value);
    return undefined;
  }

  readStored(bytes: Buffer): StoredBroadcast | undefined {
    let m: NodeMessage | undefined;
    try {
      m = this.#decodeBroadcast(decodeWith(this.#opts.parser, bytes));
    } catch {
      return undefined;
    }
    return storedBroadcast(m);
  }

  roomChannel(): string | undefined {
    return undefined;
  }

  #decodeBroadcast(value: unknown): NodeMessage | undefined {
    if (!Array.isArray(value) || value.length < 3) return bad("a broadcast must be [uid, packet, opts]");
    const [uid, packet, opts] = value as [unknown, unknown, unknown];
    if (!isRecord(packet)) return bad("invalid packet");
    // socket.io's nodes leave `nsp` out for the main namespace.
    const nsp = packet.nsp ?? "/";
    if (nsp !== this.#nsp) return undefined;
    packet.nsp = nsp;
    const offset = isRecord(opts) && typeof opts.offset === "string" ? opts.offset : undefined;
    return parseMessage({ type: MESSAGE_TYPE.BROADCAST, uid, packet, opts, offset });
  }

  #decodeRequest(r: Rec): NodeMessage | undefined {
    const uid = r.uid ?? EMITTER_UID;
    const rid = r.requestId;
    switch (r.type) {
      case REQUEST_TYPE.BROADCAST:
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST, uid, rid, packet: r.packet, opts: r.opts });
      case REQUEST_TYPE.REMOTE_JOIN:
      case REQUEST_TYPE.REMOTE_LEAVE:
        // Without `opts` it is the single-socket form of socket.io 2–3 (remoteJoin): not sent any more.
        if (r.opts === undefined) return undefined;
        return parseMessage({
          type: r.type === REQUEST_TYPE.REMOTE_JOIN ? MESSAGE_TYPE.SOCKETS_JOIN : MESSAGE_TYPE.SOCKETS_LEAVE,
          uid,
          opts: r.opts,
          rooms: r.rooms,
        });
      case REQUEST_TYPE.REMOTE_DISCONNECT:
        if (r.opts === undefined) return undefined;
        return parseMessage({ type: MESSAGE_TYPE.DISCONNECT_SOCKETS, uid, opts: r.opts, close: r.close });
      case REQUEST_TYPE.REMOTE_FETCH:
        return parseMessage({ type: MESSAGE_TYPE.FETCH_SOCKETS, uid, rid, opts: r.opts });
      case REQUEST_TYPE.SERVER_SIDE_EMIT:
        return parseMessage({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT, uid, rid, data: r.data });
      case REQUEST_TYPE.ALL_ROOMS:
        return parseMessage({ type: MESSAGE_TYPE.ALL_ROOMS, uid, rid });
      case REQUEST_TYPE.SOCKETS:
        // allSockets() of socket.io 2–3: no 4.x node sends it.
        return undefined;
      default:
        return bad(`unknown request type ${String(r.type)}`);
    }
  }

  #decodeAnswer(r: Rec): NodeMessage | undefined {
    const uid = typeof r.uid === "string" ? r.uid : `?${++this.#anonymous}`;
    const rid = r.requestId;
    switch (r.type) {
      case REQUEST_TYPE.BROADCAST_CLIENT_COUNT:
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST_CLIENT_COUNT, uid, rid, count: r.clientCount });
      case REQUEST_TYPE.BROADCAST_ACK:
        return parseMessage({ type: MESSAGE_TYPE.BROADCAST_ACK, uid, rid, args: [r.packet] });
      case REQUEST_TYPE.SERVER_SIDE_EMIT:
        return parseMessage({ type: MESSAGE_TYPE.SERVER_SIDE_EMIT_RESPONSE, uid, rid, arg: r.data });
      case undefined:
        if (r.sockets !== undefined) return parseMessage({ type: MESSAGE_TYPE.FETCH_SOCKETS_RESPONSE, uid, rid, sockets: r.sockets });
        if (r.rooms !== undefined) return parseMessage({ type: MESSAGE_TYPE.ALL_ROOMS_RESPONSE, uid, rid, rooms: r.rooms });
        // The bare `{ requestId }` answer to a single-socket remoteJoin of socket.io 2–3.
        if (typeof rid === "string") return undefined;
        return bad("an answer needs a request id");
      default:
        return bad(`unknown answer type ${String(r.type)}`);
    }
  }
}
