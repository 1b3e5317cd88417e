/**
 * @module redis/redis-client — one small contract over the two Redis clients people use.
 *
 * The adapter needs little: send a command when the connection is ready, subscribe to exact
 * channels receiving raw bytes, and hear about errors. `ioredis` (the primary client) and
 * node-redis v4+ (`redis`) are told apart by shape, so neither package is imported: both stay
 * optional peer dependencies.
 *
 * Commands are only sent while the client reports itself ready. Both clients otherwise queue
 * commands in memory while disconnected (ioredis' offline queue, node-redis' command queue),
 * which would grow without limit during a Redis outage; the adapter reports and skips instead.
 */
import { createError } from "./core.js";

/** A Redis argument: text or raw bytes. */
export type RedisArg = string | Buffer;

/** The command side of a client. */
export interface CommandLink {
  /** "ioredis" or "node-redis", for debug output. */
  readonly kind: "ioredis" | "node-redis";
  /** True when a command sent now goes straight to Redis. */
  isReady(): boolean;
  /** Sends one command; bulk replies come back as strings. */
  command(args: RedisArg[]): Promise<unknown>;
  /** Publishes a message (PUBLISH; SPUBLISH on the sharded link). */
  publish(channel: string, bytes: Buffer): Promise<unknown>;
  /** How many connections subscribe to a channel (PUBSUB NUMSUB; SHARDNUMSUB on the sharded link). */
  countSubscribers(channel: string): Promise<number>;
  /** Listens for the client's errors; returns the function that stops listening. */
  onError(fn: (err: unknown) => void): () => void;
}

/** The subscriber side of a client (a connection in subscriber mode). */
export interface SubscriberLink {
  readonly kind: "ioredis" | "node-redis";
  isReady(): boolean;
  /** Subscribes to exact channels; every message on them reaches `onMessage` as bytes. */
  subscribe(channels: string[], onMessage: (channel: string, message: Buffer) => void): Promise<void>;
  /** Unsubscribes from channels subscribed through this link. */
  unsubscribe(channels: string[]): Promise<void>;
  /** Subscribes to channel patterns (PSUBSCRIBE); messages reach `onMessage` with their channel. */
  psubscribe(patterns: string[], onMessage: (channel: string, message: Buffer) => void): Promise<void>;
  /** Unsubscribes from patterns subscribed through this link. */
  punsubscribe(patterns: string[]): Promise<void>;
  onError(fn: (err: unknown) => void): () => void;
}

type Fn = (...args: never[]) => unknown;

interface Emitter {
  on(event: string, fn: Fn): unknown;
  off?(event: string, fn: Fn): unknown;
  removeListener?(event: string, fn: Fn): unknown;
}

/** The part of an ioredis client the adapter uses. */
interface IoRedisShape extends Emitter {
  status: string;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  psubscribe(...patterns: string[]): Promise<unknown>;
  punsubscribe(...patterns: string[]): Promise<unknown>;
}

/** The part of a node-redis (v4+) client the adapter uses. */
interface NodeRedisShape extends Emitter {
  isReady: boolean;
  sendCommand(args: RedisArg[]): Promise<unknown>;
  subscribe(channels: string[], listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
  unsubscribe(channels: string[], listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
  pSubscribe(patterns: string[], listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
  pUnsubscribe(patterns: string[], listener: (message: Buffer, channel: Buffer) => void, bufferMode: true): Promise<unknown>;
}

function has(client: unknown, key: string, type: string): boolean {
  return typeof client === "object" && client !== null && typeof (client as Record<string, unknown>)[key] === type;
}

function isIoRedis(client: unknown): client is IoRedisShape {
  return has(client, "call", "function") && has(client, "status", "string") && has(client, "on", "function");
}

function isNodeRedis(client: unknown): client is NodeRedisShape {
  return has(client, "sendCommand", "function") && has(client, "isReady", "boolean") && has(client, "on", "function");
}

function listen(client: Emitter, event: string, fn: Fn): () => void {
  client.on(event, fn);
  return () => {
    if (typeof client.off === "function") client.off(event, fn);
    else client.removeListener?.(event, fn);
  };
}

/**
 * Wraps a client for commands (PUBLISH, PUBSUB, SET, XADD…).
 *
 * @param client an ioredis client or a node-redis v4+ client
 * @param name the argument's name, for the error
 * @returns the command link
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT when `client` is neither
 * @example
 * const pub = commandLink(new Redis(url), "pubClient");
 * await pub.command(["PUBLISH", "chan", Buffer.from("x")]);
 */
export function commandLink(client: unknown, name: string): CommandLink {
  if (isIoRedis(client)) {
    return {
      kind: "ioredis",
      isReady: () => client.status === "ready",
      command: ([cmd, ...args]) => client.call(String(cmd), ...args),
      publish: (channel, bytes) => client.call("PUBLISH", channel, bytes),
      countSubscribers: async (channel) => numsubCount(await client.call("PUBSUB", "NUMSUB", channel)),
      onError: (fn) => listen(client, "error", fn),
    };
  }
  if (isNodeRedis(client)) {
    return {
      kind: "node-redis",
      isReady: () => client.isReady,
      command: (args) => client.sendCommand(args),
      publish: (channel, bytes) => client.sendCommand(["PUBLISH", channel, bytes]),
      countSubscribers: async (channel) => numsubCount(await client.sendCommand(["PUBSUB", "NUMSUB", channel])),
      onError: (fn) => listen(client, "error", fn),
    };
  }
  throw createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", name);
}

/**
 * Wraps a client dedicated to subscriptions. Several links may share one client (one per
 * namespace); each hears only the channels it subscribed.
 *
 * @param client an ioredis client or a node-redis v4+ client (not used for other commands)
 * @param name the argument's name, for the error
 * @returns the subscriber link
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT when `client` is neither
 * @example
 * const sub = subscriberLink(pubClient.duplicate(), "subClient");
 * await sub.subscribe(["chan"], (channel, bytes) => { … });
 */
export function subscriberLink(client: unknown, name: string): SubscriberLink {
  if (isIoRedis(client)) return ioRedisSubscriber(client);
  if (isNodeRedis(client)) return nodeRedisSubscriber(client);
  throw createError("SKT_ERR_REDIS_UNSUPPORTED_CLIENT", name);
}

function ioRedisSubscriber(client: IoRedisShape): SubscriberLink {
  const handlers = new Map<string, (channel: string, message: Buffer) => void>();
  const patternHandlers = new Map<string, (channel: string, message: Buffer) => void>();
  let detach: (() => void) | undefined;
  let detachPatterns: (() => void) | undefined;
  const onPmessageBuffer = (pattern: Buffer, channel: Buffer, message: Buffer): void => {
    patternHandlers.get(pattern.toString())?.(channel.toString(), message);
  };
  // ioredis delivers every channel of the connection to every `messageBuffer` listener: one
  // listener per link, dispatching to this link's channels only.
  const onMessageBuffer = (channel: Buffer, message: Buffer): void => {
    const name = channel.toString();
    handlers.get(name)?.(name, message);
  };
  return {
    kind: "ioredis",
    isReady: () => client.status === "ready",
    async subscribe(channels, onMessage) {
      detach ??= listen(client, "messageBuffer", onMessageBuffer as Fn);
      for (const c of channels) handlers.set(c, onMessage);
      await client.subscribe(...channels);
    },
    async unsubscribe(channels) {
      for (const c of channels) handlers.delete(c);
      if (handlers.size === 0) {
        detach?.();
        detach = undefined;
      }
      // A closed connection has no subscriptions left to cancel.
      if (client.status === "end") return;
      await client.unsubscribe(...channels);
    },
    async psubscribe(patterns, onMessage) {
      detachPatterns ??= listen(client, "pmessageBuffer", onPmessageBuffer as Fn);
      for (const p of patterns) patternHandlers.set(p, onMessage);
      await client.psubscribe(...patterns);
    },
    async punsubscribe(patterns) {
      for (const p of patterns) patternHandlers.delete(p);
      if (patternHandlers.size === 0) {
        detachPatterns?.();
        detachPatterns = undefined;
      }
      if (client.status === "end") return;
      await client.punsubscribe(...patterns);
    },
    onError: (fn) => listen(client, "error", fn),
  };
}

function nodeRedisSubscriber(client: NodeRedisShape): SubscriberLink {
  const listeners = new Map<string, (message: Buffer, channel: Buffer) => void>();
  const patternListeners = new Map<string, (message: Buffer, channel: Buffer) => void>();
  const isOpen = (): boolean => (client as unknown as { isOpen?: boolean }).isOpen !== false;
  return {
    kind: "node-redis",
    isReady: () => client.isReady,
    async subscribe(channels, onMessage) {
      for (const c of channels) {
        const listener = (message: Buffer, channel: Buffer): void => onMessage(channel.toString(), message);
        listeners.set(c, listener);
        await client.subscribe([c], listener, true);
      }
    },
    async unsubscribe(channels) {
      for (const c of channels) {
        const listener = listeners.get(c);
        listeners.delete(c);
        if (listener !== undefined && isOpen()) await client.unsubscribe([c], listener, true);
      }
    },
    async psubscribe(patterns, onMessage) {
      for (const p of patterns) {
        const listener = (message: Buffer, channel: Buffer): void => onMessage(channel.toString(), message);
        patternListeners.set(p, listener);
        await client.pSubscribe([p], listener, true);
      }
    },
    async punsubscribe(patterns) {
      for (const p of patterns) {
        const listener = patternListeners.get(p);
        patternListeners.delete(p);
        if (listener !== undefined && isOpen()) await client.pUnsubscribe([p], listener, true);
      }
    },
    onError: (fn) => listen(client, "error", fn),
  };
}

/**
 * Reads the integer reply of `PUBSUB NUMSUB channel` (a `[channel, count]` pair).
 *
 * @param reply the raw reply
 * @returns the subscriber count, 0 when the reply is not understood
 */
export function numsubCount(reply: unknown): number {
  if (!Array.isArray(reply)) return 0;
  const n = Number(reply[1]);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
