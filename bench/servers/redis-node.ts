/**
 * @module bench/servers/redis-node — one node of a two-node cluster on Redis for scenario R:
 * Socketeer on `socketeer/redis`, or socket.io on `@socket.io/redis-adapter`, running the same
 * scenario app as the single-node servers. Started by bench/lib/cross-node.ts.
 *
 * Environment: SKT_BENCH_FLAVOR (socketeer | socketio), SKT_BENCH_KEY (the Redis key shared by the
 * two nodes), REDIS_URL, and SKT_BENCH_SOCKETEER_ROOT (optional: another checkout whose Socketeer
 * is measured, e.g. to compare an older wire format).
 */
import { createRequire } from "node:module";
import type { Server as HttpServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { hostServer } from "./host.js";
import { installSioApp, type SioServerLike } from "./sio-app.js";

const flavor = process.env.SKT_BENCH_FLAVOR;
const key = process.env.SKT_BENCH_KEY ?? "skt-bench";
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const pub = new Redis(url, { lazyConnect: true });
const sub = new Redis(url, { lazyConnect: true });
for (const c of [pub, sub]) c.on("error", (err: Error) => process.stderr.write(`redis: ${err.message}\n`));

// Connected before any adapter subscribes: a subscription queued before the connection is ready
// puts the connection in subscriber mode ahead of ioredis' own ready check.
await Promise.all([pub.connect(), sub.connect()]);

type AdapterFactory = (pub: Redis, sub: Redis, opts: { key: string }) => unknown;
type ServerClass = new (http: HttpServer, opts: { adapter: unknown }) => SioServerLike & { of(n: string): { adapter: { init?(): Promise<void> } } };

if (flavor === "socketeer") {
  const root = resolve(process.env.SKT_BENCH_SOCKETEER_ROOT ?? new URL("../..", import.meta.url).pathname);
  const core = (await import(pathToFileURL(resolve(root, "core/index.ts")).href)) as { Server: ServerClass };
  const redis = (await import(pathToFileURL(resolve(root, "integrations/redis/index.ts")).href)) as { createAdapter: AdapterFactory };
  const { version } = createRequire(resolve(root, "package.json"))(resolve(root, "package.json")) as { version: string };
  await hostServer("socketeer", version, async (http, counter) => {
    const io = new core.Server(http, { adapter: redis.createAdapter(pub, sub, { key }) });
    await io.of("/").adapter.init?.();
    return installSioApp(io, counter);
  });
} else if (flavor === "socketio") {
  const { Server } = await import("socket.io");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const { version } = createRequire(import.meta.url)("@socket.io/redis-adapter/package.json") as { version: string };
  await hostServer("socket.io", version, (http, counter) => installSioApp(new Server(http, { adapter: createAdapter(pub, sub, { key }) }), counter));
} else {
  throw new Error(`SKT_BENCH_FLAVOR must be socketeer or socketio, got ${String(flavor)}`);
}
