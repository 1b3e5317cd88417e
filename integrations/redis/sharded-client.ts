/**
 * @module redis/sharded-client — the command and subscriber links of `createShardedAdapter`:
 * SPUBLISH, SSUBSCRIBE and PUBSUB SHARDNUMSUB, on a node-redis cluster client
 * (`createCluster()`), an ioredis `Cluster` created with `shardedSubscribers: true` (ioredis 5.9+),
 * or a node-redis or ioredis client of a single Redis 7+.
 *
 * On a cluster every command is routed by the slot of its channel or key: the client sends it to
 * the master that owns the slot, which is where a sharded channel's subscribers are.
 *
 * Versions: node-redis 5.x. node-redis 4.x re-subscribes a node's sharded channels in one
 * SSUBSCRIBE after that master restarts, which the cluster refuses (CROSSSLOT): nodes on 4.x stop
 * hearing each other after a master restart.
 */
import { createError } from "./core.js";
import { numsubCount, type CommandLink, type RedisArg, type SubscriberLink } from "./redis-client.js";

type Listener = (message: Buffer, channel: Buffer) => void;
type Fn = (...args: never[]) => unknown;

/** The part of a node-redis client or cluster client the sharded adapter uses. */
interface NodeRedisSharded {
  sendCommand(...args: unknown[]): Promise<unknown>;
  sSubscribe(channels: string | string[], listener: Listener, bufferMode: true): Promise<unknown>;
  sUnsubscribe(channels: string | string[], listener: Listener, bufferMode: true): Promise<unknown>;
  on(event: string, fn: Fn): unknown;
  off(event: string, fn: Fn): unknown;
  isReady?: boolean;
  isOpen?: boolean;
  masters?: unknown[];
}

function isNodeRedisSharded(client: unknown): client is NodeRedisSharded {
  if (typeof client !== "object" || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.sendCommand === "function" && typeof c.sSubscribe === "function" && typeof c.on === "function";
}

/** The part of an ioredis client or Cluster the sharded adapter uses. */
interface IoRedisSharded {
  status: string;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, fn: Fn): unknown;
  off(event: string, fn: Fn): unknown;
  nodes?: (role: string) => { call(command: string, ...args: RedisArg[]): Promise<unknown> }[];
}

function isIoRedisSharded(client: unknown): client is IoRedisSharded {
  if (typeof client !== "object" || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.call === "function" && typeof c.status === "string" && typeof c.ssubscribe === "function" && typeof c.on === "function";
}

function ioRedisCommandLink(client: IoRedisSharded): CommandLink {
  const send = ([cmd, ...args]: RedisArg[]): Promise<unknown> => client.call(String(cmd), ...args);
  return {
    kind: "ioredis",
    isReady: () => client.status === "ready",
    command: send,
    publish: (channel, bytes) => client.call("SPUBLISH", channel, bytes),
    // A keyless command goes to any node: ask every master, only the slot's owner counts.
    countSubscribers: async (channel) => {
      const masters = typeof client.nodes === "function" ? client.nodes("master") : [client];
      const counts = await Promise.all(masters.map(async (n) => numsubCount(await n.call("PUBSUB", "SHARDNUMSUB", channel))));
      return counts.reduce((a, b) => a + b, 0);
    },
    onError: (fn) => listen(client, "error", fn),
  };
}

function ioRedisSubscriberLink(client: IoRedisSharded): SubscriberLink {
  const handlers = new Map<string, (channel: string, message: Buffer) => void>();
  let detach: (() => void) | undefined;
  const onMessage = (channel: Buffer, message: Buffer): void => {
    const name = channel.toString();
    handlers.get(name)?.(name, message);
  };
  const noPatterns = (): Promise<void> => Promise.reject(createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", "subClient (patterns on sharded Pub/Sub)"));
  return {
    kind: "ioredis",
    isReady: () => client.status === "ready",
    async subscribe(channels, fn) {
      detach ??= listen(client, "smessageBuffer", onMessage as Fn);
      // One channel per command: channels of different slots cannot share one SSUBSCRIBE.
      for (const c of channels) {
        handlers.set(c, fn);
        await client.ssubscribe(c);
      }
    },
    async unsubscribe(channels) {
      for (const c of channels) {
        handlers.delete(c);
        if (client.status !== "end") await client.sunsubscribe(c);
      }
    },
    psubscribe: noPatterns,
    punsubscribe: noPatterns,
    onError: (fn) => listen(client, "error", fn),
  };
}

function isCluster(client: NodeRedisSharded): boolean {
  return Array.isArray(client.masters);
}

function ready(client: NodeRedisSharded): boolean {
  return typeof client.isReady === "boolean" ? client.isReady : client.isOpen === true;
}

/** The key or channel a command is routed by: a script's first key, PUBSUB's channel, else the first argument. */
function routingKey(args: RedisArg[]): RedisArg | undefined {
  const cmd = String(args[0]).toUpperCase();
  if (cmd === "EVAL" || cmd === "EVALSHA") return args[3];
  if (cmd === "PUBSUB") return args[2];
  return args[1];
}

function listen(client: { on(e: string, f: Fn): unknown; off(e: string, f: Fn): unknown }, event: string, fn: Fn): () => void {
  client.on(event, fn);
  return () => void client.off(event, fn);
}

/**
 * Wraps a client for sharded commands.
 *
 * @param client a node-redis (5.x) cluster client, an ioredis Cluster, or a client of one Redis 7+
 * @param name the argument's name, for the error
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT for anything else
 */
export function shardedCommandLink(client: unknown, name: string): CommandLink {
  if (isIoRedisSharded(client)) return ioRedisCommandLink(client);
  if (!isNodeRedisSharded(client)) throw createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", name);
  const send = isCluster(client)
    ? (args: RedisArg[]) => client.sendCommand(routingKey(args), false, args)
    : (args: RedisArg[]) => client.sendCommand(args);
  return {
    kind: "node-redis",
    isReady: () => ready(client),
    command: send,
    publish: (channel, bytes) => send(["SPUBLISH", channel, bytes]),
    countSubscribers: async (channel) => numsubCount(await send(["PUBSUB", "SHARDNUMSUB", channel])),
    onError: (fn) => listen(client, "error", fn),
  };
}

/**
 * Wraps a client dedicated to sharded subscriptions.
 *
 * @param client a node-redis (5.x) cluster client, or a node-redis client
 * @param name the argument's name, for the error
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT for anything else
 */
export function shardedSubscriberLink(client: unknown, name: string): SubscriberLink {
  if (isIoRedisSharded(client)) return ioRedisSubscriberLink(client);
  if (!isNodeRedisSharded(client)) throw createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", name);
  const listeners = new Map<string, Listener>();
  const noPatterns = (): Promise<void> => Promise.reject(createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", `${name} (patterns on sharded Pub/Sub)`));
  return {
    kind: "node-redis",
    isReady: () => ready(client),
    async subscribe(channels, onMessage) {
      for (const c of channels) {
        if (listeners.has(c)) continue;
        const listener: Listener = (message, channel) => onMessage(channel.toString(), message);
        listeners.set(c, listener);
        await client.sSubscribe(c, listener, true);
      }
    },
    async unsubscribe(channels) {
      for (const c of channels) {
        const listener = listeners.get(c);
        listeners.delete(c);
        if (listener !== undefined && client.isOpen !== false) await client.sUnsubscribe(c, listener, true);
      }
    },
    psubscribe: noPatterns,
    punsubscribe: noPatterns,
    onError: (fn) => listen(client, "error", fn),
  };
}
