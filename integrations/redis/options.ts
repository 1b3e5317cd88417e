/**
 * @module redis/options — the options of `createAdapter()`, declared once.
 */
import { msgpack, type Parser } from "./codec.js";
import { is, resolveOptions, type OptionSchema } from "./core.js";

/** Options of the Redis adapter (the names of `@socket.io/redis-adapter` where they exist). */
export interface RedisAdapterOptions {
  /**
   * Prefix of every channel and key. Nodes of one application must use the same; applications
   * sharing one Redis must not.
   * @default "socket.io"
   */
  key?: string;
  /**
   * How long a request to the other nodes (fetchSockets, serverSideEmit with ack, allRooms)
   * waits for their answers, in ms.
   * @default 5000
   */
  requestsTimeout?: number;
  /**
   * Cap on the packets kept in Redis for connection state recovery, per namespace (approximate:
   * Redis trims whole stream nodes). Defaults to the server's `maxPersistedPackets`, else 10000.
   */
  streamMaxLen?: number;
  /**
   * Answers to a node's requests go to its own channel (`<key>-response#<nsp>#<uid>#`) rather
   * than to the channel every node hears. As in `@socket.io/redis-adapter`.
   * @default false
   */
  publishOnSpecificResponseChannel?: boolean;
  /**
   * Encoder/decoder of the messages (`encode(value) → bytes`, `decode(bytes) → value`). Every
   * node, socket.io's included, must use the same one.
   * @default MessagePack (notepack.io), as `@socket.io/redis-adapter`
   */
  parser?: Parser;
  /**
   * `false`: the nodes need no sticky sessions. A polling request for a session of another node
   * is relayed to its owner through Redis (docs/scaling-out.md § "Without sticky sessions").
   * @default true
   */
  stickySessions?: boolean;
}

/** Resolved options: every field set, frozen. */
export interface ResolvedRedisAdapterOptions {
  readonly key: string;
  readonly requestsTimeout: number;
  readonly streamMaxLen: number | undefined;
  readonly publishOnSpecificResponseChannel: boolean;
  readonly parser: Parser;
  readonly stickySessions: boolean;
}

function isParser(v: unknown, name: string): Parser {
  const p = is.object<Record<string, unknown>>()(v, name);
  is.fn()(p.encode, `${name}.encode`);
  is.fn()(p.decode, `${name}.decode`);
  return p as unknown as Parser;
}

const SCHEMA: OptionSchema<ResolvedRedisAdapterOptions> = {
  key: { default: "socket.io", check: is.string() },
  requestsTimeout: { default: 5_000 /* ms */, check: is.number(1, 2 ** 31 - 1) },
  streamMaxLen: { default: undefined, check: is.optional(is.number(1, 1e9)) },
  publishOnSpecificResponseChannel: { default: false, check: is.boolean() },
  parser: { default: msgpack, check: isParser },
  stickySessions: { default: true, check: is.boolean() },
};

/**
 * Validates and freezes the adapter options.
 *
 * @param user the user's options
 * @returns the resolved options
 * @throws SKT_ERR_OPTIONS_UNKNOWN, SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE
 * @example
 * resolveRedisAdapterOptions({ requestsTimeout: 2000 }).key; // "socket.io"
 */
export function resolveRedisAdapterOptions(user: RedisAdapterOptions | undefined): ResolvedRedisAdapterOptions {
  return resolveOptions(SCHEMA, user);
}

/** How a sharded adapter subscribes (as `@socket.io/redis-adapter`'s `createShardedAdapter`). */
export type SubscriptionMode = "static" | "dynamic" | "dynamic-private";

/** Options of `createShardedAdapter()` (the names of `@socket.io/redis-adapter`). */
export interface ShardedRedisAdapterOptions {
  /**
   * Prefix of the channels.
   * @default "socket.io"
   */
  channelPrefix?: string;
  /**
   * "static": two channels per namespace; "dynamic": plus one per public room (a broadcast to
   * one such room reaches only the nodes that have it); "dynamic-private": plus one per room,
   * sockets' own rooms included.
   * @default "dynamic"
   */
  subscriptionMode?: SubscriptionMode;
  /** @default 5000 (ms) */
  requestsTimeout?: number;
  /** Cap on the packets kept for connection state recovery (see {@link RedisAdapterOptions}). */
  streamMaxLen?: number;
  /**
   * `false`: the nodes need no sticky sessions. A polling request for a session of another node
   * is relayed to its owner through Redis (docs/scaling-out.md § "Without sticky sessions").
   * @default true
   */
  stickySessions?: boolean;
}

/** Resolved sharded options. */
export interface ResolvedShardedOptions {
  readonly channelPrefix: string;
  readonly subscriptionMode: SubscriptionMode;
  readonly requestsTimeout: number;
  readonly streamMaxLen: number | undefined;
  readonly stickySessions: boolean;
}

const SHARDED_SCHEMA: OptionSchema<ResolvedShardedOptions> = {
  channelPrefix: { default: "socket.io", check: is.string() },
  subscriptionMode: { default: "dynamic", check: is.oneOf("static", "dynamic", "dynamic-private") },
  requestsTimeout: { default: 5_000 /* ms */, check: is.number(1, 2 ** 31 - 1) },
  streamMaxLen: { default: undefined, check: is.optional(is.number(1, 1e9)) },
  stickySessions: { default: true, check: is.boolean() },
};

/**
 * Validates and freezes the sharded adapter's options.
 *
 * @throws SKT_ERR_OPTIONS_UNKNOWN, SKT_ERR_OPTIONS_INVALID_TYPE, SKT_ERR_OPTIONS_OUT_OF_RANGE
 */
export function resolveShardedOptions(user: ShardedRedisAdapterOptions | undefined): ResolvedShardedOptions {
  return resolveOptions(SHARDED_SCHEMA, user);
}
