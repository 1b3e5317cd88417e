/**
 * @module redis/wires — what a protocol must provide to the adapter.
 *
 * The adapter (redis-adapter.ts) works with the model of messages.ts; a wire says where each
 * message goes and in which bytes, and turns what arrives back into the model. Two wires exist,
 * both speaking `@socket.io/redis-adapter` 8.x:
 *
 * - protocol-classic.ts — `createAdapter`: PUBLISH/SUBSCRIBE/PSUBSCRIBE, the `[uid, packet, opts]`
 *   broadcast tuple and the request/response objects of socket.io's `RedisAdapter`;
 * - protocol-sharded.ts — `createShardedAdapter`: SPUBLISH/SSUBSCRIBE on a Redis Cluster, the
 *   `{ uid, nsp, type, data }` messages of socket.io's `ClusterAdapter`.
 */
import { MESSAGE_TYPE, type NodeMessage } from "./messages.js";

/** A message ready to publish. */
export interface Outgoing {
  readonly channel: string;
  readonly bytes: Buffer;
}

/** A broadcast as connection state recovery replays it. */
export interface StoredBroadcast {
  rooms: string[];
  except: string[];
  /** The event's `data`, offset appended. */
  data: unknown[];
}

/** The protocol of one namespace on one node. */
export interface Wire {
  /** Exact channels this node subscribes to for the namespace. */
  readonly channels: readonly string[];
  /** Channel patterns (PSUBSCRIBE) this node subscribes to; the sharded wire has none. */
  readonly patterns: readonly string[];
  /** The channel whose subscriber count is the number of nodes serving the namespace. */
  readonly countChannel: string;
  /**
   * Where a message goes and its bytes.
   *
   * @param message the message
   * @param to for an answer: the requesting node's uid
   * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the message cannot be encoded
   */
  encode(message: NodeMessage, to?: string): Outgoing;
  /**
   * Reads what arrived on a subscribed channel.
   *
   * @param channel the channel it arrived on
   * @param bytes the payload
   * @param hasRoom whether this node has a room (messages for rooms it lacks are skipped undecoded)
   * @returns the message, or undefined when it is not for this namespace or needs no action
   * @throws SKT_ERR_REDIS_INVALID_MESSAGE when the bytes are not a valid message
   */
  decode(channel: string, bytes: Buffer, hasRoom: (room: string) => boolean): NodeMessage | undefined;
  /**
   * Reads a stored broadcast (the bytes of an `encode`d broadcast) for recovery.
   *
   * @returns undefined when the bytes are not a broadcast
   */
  readStored(bytes: Buffer): StoredBroadcast | undefined;
  /**
   * The extra channel a node with `room` subscribes to (sharded "dynamic" modes), if any.
   *
   * @param room the room
   * @param isPrivate true when the room is a socket's own room
   */
  roomChannel(room: string, isPrivate: boolean): string | undefined;
}

/**
 * The broadcast a recovery stream entry holds, as the recovery store replays it (its offset last,
 * as a client of this node gets it), whichever wire decoded it.
 *
 * @param m the decoded entry, or `undefined` when it did not decode
 * @returns the broadcast, or `undefined` when the entry is not one
 */
export function storedBroadcast(m: NodeMessage | undefined): StoredBroadcast | undefined {
  if (m?.type !== MESSAGE_TYPE.BROADCAST) return undefined;
  const data = (m.packet as { data?: unknown }).data;
  if (!Array.isArray(data)) return undefined;
  return { rooms: m.opts.rooms, except: m.opts.except, data: m.offset === undefined ? data : [...data, m.offset] };
}
