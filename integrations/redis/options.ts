/**
 * @module redis/options — the options of `createAdapter()`, declared once.
 */
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
}

/** Resolved options: every field set, frozen. */
export interface ResolvedRedisAdapterOptions {
  readonly key: string;
  readonly requestsTimeout: number;
  readonly streamMaxLen: number | undefined;
}

const SCHEMA: OptionSchema<ResolvedRedisAdapterOptions> = {
  key: { default: "socket.io", check: is.string() },
  requestsTimeout: { default: 5_000 /* ms */, check: is.number(1, 2 ** 31 - 1) },
  streamMaxLen: { default: undefined, check: is.optional(is.number(1, 1e9)) },
};

/**
 * Options of `@socket.io/redis-adapter` that Socketeer accepts and ignores: answers always go
 * to the requesting node's own channel, and the wire format is Socketeer's own.
 */
const IGNORED = ["publishOnSpecificResponseChannel", "parser"] as const;

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
  return resolveOptions(SCHEMA, user, IGNORED);
}
