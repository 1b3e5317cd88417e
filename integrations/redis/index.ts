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
import type { AdapterNamespace } from "./core.js";
import { resolveRedisAdapterOptions, type RedisAdapterOptions } from "./options.js";
import { RedisAdapter } from "./redis-adapter.js";
import { commandLink, subscriberLink } from "./redis-client.js";

export { RedisAdapter } from "./redis-adapter.js";
export type { RemoteSocketDetails } from "./convert.js";
export type { RedisAdapterOptions } from "./options.js";

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
 *   `streamMaxLen` (recovery stream cap)
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
  commandLink(pubClient, "pubClient");
  subscriberLink(subClient, "subClient");
  const resolved = resolveRedisAdapterOptions(opts);
  return class extends RedisAdapter {
    constructor(nsp: AdapterNamespace) {
      super(nsp, pubClient, subClient, resolved);
    }
  };
}
