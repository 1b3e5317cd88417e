/**
 * @module socketeer/redis — the Redis adapter: many Socketeer nodes behave as one server.
 *
 * Same shape as `@socket.io/redis-adapter`, so moving over is a change of import:
 *
 * ```ts
 * import { Server } from "socketeer";
 * import { createAdapter } from "socketeer/redis";
 * import { Redis } from "ioredis";
 *
 * const pubClient = new Redis(process.env.REDIS_URL);
 * const subClient = pubClient.duplicate();
 * const io = new Server(httpServer, { adapter: createAdapter(pubClient, subClient) });
 * ```
 */
import { classicRecoveryKeys, shardedRecoveryKeys } from "./channels.js";
import type { AdapterNamespace } from "./core.js";
import {
  resolveRedisAdapterOptions,
  resolveShardedOptions,
  type RedisAdapterOptions,
  type ShardedRedisAdapterOptions,
} from "./options.js";
import { ClassicWire } from "./protocol-classic.js";
import { ShardedWire } from "./protocol-sharded.js";
import { RedisAdapter, type AdapterSetup } from "./redis-adapter.js";
import { commandLink, subscriberLink } from "./redis-client.js";
import { shardedCommandLink, shardedSubscriberLink } from "./sharded-client.js";
import { installRelay, type RelayServer, type SessionRelay } from "./relay/session-relay.js";

export { RedisAdapter } from "./redis-adapter.js";
export { msgpack, type Parser } from "./codec.js";
export type { RemoteSocketDetails } from "./convert.js";
export type { RedisAdapterOptions, ShardedRedisAdapterOptions, SubscriptionMode } from "./options.js";

/** What `createAdapter()` returns: the `adapter` server option (constructed once per namespace). */
export type RedisAdapterConstructor = new (nsp: AdapterNamespace) => RedisAdapter;

/**
 * Creates the Redis adapter for a server.
 *
 * @param pubClient an ioredis client, or a connected node-redis v4+ client: sends commands and
 *   publishes
 * @param subClient another connection of the same kind, used only for subscriptions (e.g.
 *   `pubClient.duplicate()`); every node needs its own
 * @param opts `key` (channel prefix, default `"socket.io"`), `requestsTimeout` (ms, default 5000),
 *   `publishOnSpecificResponseChannel`, `parser` (default MessagePack), `streamMaxLen` (recovery
 *   stream cap), `stickySessions` (default true; `false` relays polling requests to the
 *   session's node, so the balancer needs no affinity). The wire is that of `@socket.io/redis-adapter` 8.x: socket.io nodes and
 *   `@socket.io/redis-emitter` on the same Redis and `key` join the cluster.
 * @returns the value of the server's `adapter` option
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT when a client is neither ioredis nor node-redis
 * @throws SKT_ERR_OPTIONS_* for an invalid or unknown option
 * @example
 * import { createClient } from "redis";
 * const pub = createClient({ url: "redis://127.0.0.1:6379" });
 * const sub = pub.duplicate();
 * await Promise.all([pub.connect(), sub.connect()]);
 * const io = new Server({ adapter: createAdapter(pub, sub, { requestsTimeout: 3000 }) });
 */
export function createAdapter(pubClient: unknown, subClient: unknown, opts?: RedisAdapterOptions): RedisAdapterConstructor {
  // Checked now, so a wrong argument fails where the mistake is rather than at the first namespace.
  const pub = commandLink(pubClient, "pubClient");
  const sub = subscriberLink(subClient, "subClient");
  const o = resolveRedisAdapterOptions(opts);
  const setup: AdapterSetup = {
    pub,
    sub,
    wire: (nsp, uid) => new ClassicWire(o, nsp, uid),
    recoveryKeys: (nsp) => classicRecoveryKeys(o.key, nsp),
    requestsTimeout: o.requestsTimeout,
    streamMaxLen: o.streamMaxLen,
  };
  return adapterClass(setup, o.stickySessions, o.key);
}

/**
 * Creates the Redis adapter on sharded Pub/Sub (Redis 7+, SPUBLISH/SSUBSCRIBE), for a Redis
 * Cluster, wire-compatible with `@socket.io/redis-adapter`'s `createShardedAdapter`.
 *
 * @param pubClient a node-redis 5.x cluster client (`createCluster()`), an ioredis `Cluster`
 *   created with `shardedSubscribers: true`, or a client of a single Redis 7+
 * @param subClient another such client (e.g. `pubClient.duplicate()`), used for subscriptions
 * @param opts `channelPrefix` (default `"socket.io"`), `subscriptionMode` ("static" | "dynamic"
 *   | "dynamic-private", default "dynamic"), `requestsTimeout`, `streamMaxLen`
 * @returns the value of the server's `adapter` option
 * @throws SKT_ERR_REDIS_UNSUPPORTED_CLIENT when a client is neither node-redis nor ioredis
 * @throws SKT_ERR_OPTIONS_* for an invalid or unknown option
 * @example
 * import { createCluster } from "redis";
 * const pub = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] });
 * const sub = pub.duplicate();
 * await Promise.all([pub.connect(), sub.connect()]);
 * const io = new Server({ adapter: createShardedAdapter(pub, sub, { subscriptionMode: "dynamic" }) });
 */
export function createShardedAdapter(pubClient: unknown, subClient: unknown, opts?: ShardedRedisAdapterOptions): RedisAdapterConstructor {
  const pub = shardedCommandLink(pubClient, "pubClient");
  const sub = shardedSubscriberLink(subClient, "subClient");
  const o = resolveShardedOptions(opts);
  const setup: AdapterSetup = {
    pub,
    sub,
    wire: (nsp, uid) => new ShardedWire(o.channelPrefix, o.subscriptionMode, nsp, uid),
    recoveryKeys: (nsp) => shardedRecoveryKeys(o.channelPrefix, nsp),
    requestsTimeout: o.requestsTimeout,
    streamMaxLen: o.streamMaxLen,
  };
  return adapterClass(setup, o.stickySessions, o.channelPrefix);
}

/**
 * The adapter class both factories return: a {@link RedisAdapter} on `setup`, which also installs
 * the polling relay on its server when sticky sessions are off.
 *
 * @param setup the clients, the wire and the limits
 * @param stickySessions the `stickySessions` option
 * @param key the channel prefix the relay's channels share
 * @returns the value of the server's `adapter` option
 */
function adapterClass(setup: AdapterSetup, stickySessions: boolean, key: string): RedisAdapterConstructor {
  return class extends RedisAdapter {
    #relay: SessionRelay | undefined;
    constructor(nsp: AdapterNamespace) {
      super(nsp, setup);
      if (!stickySessions) this.#relay = installRelay(nsp.server as unknown as RelayServer, setup.pub, setup.sub, key, setup.requestsTimeout);
    }

    // the relay is the server's, shared by its namespaces' adapters: it closes with the last one
    override async close(): Promise<void> {
      const relay = this.#relay;
      this.#relay = undefined;
      await Promise.all([super.close(), relay?.release()]);
    }
  };
}
