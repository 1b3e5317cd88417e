/**
 * Redis going away and coming back, at the adapter level, on a private redis-server: local
 * delivery goes on, failures are reported on the `error` event, nothing is queued, and
 * cross-node delivery resumes by itself.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Redis } from "ioredis";
import { createAdapter } from "../../integrations/redis/index.js";
import { needRedis } from "../helpers/services.js";
import { deferred, until, withTimeout } from "../helpers/wait.js";
import { FakeNamespace } from "./fake-namespace.js";
import { ioredis, privateRedis, uniqueKey, untilAsync } from "./helpers.js";

const skip = await needRedis();
const all = { rooms: new Set<string>(), except: new Set<string>() };

function offlineQueueLength(client: Redis): number {
  // ioredis' offline queue is where commands would pile up during an outage.
  return (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
}

describe("Redis failures", { skip }, () => {
  test("local delivery goes on, errors are reported, and cross-node delivery resumes", async (t) => {
    const redis = await privateRedis(t);
    const key = uniqueKey();
    const clients: Redis[] = [];
    const nodes: FakeNamespace[] = [];
    for (let i = 0; i < 2; i++) {
      const pub = await ioredis(t, redis.url);
      const sub = await ioredis(t, redis.url);
      clients.push(pub, sub);
      const nsp = new FakeNamespace(createAdapter(pub, sub, { key, requestsTimeout: 1_000 }), "/", {
        maxDisconnectionDuration: 60_000,
        maxPersistedPackets: 100,
      });
      t.after(() => nsp.adapter.close());
      await nsp.adapter.init();
      nodes.push(nsp);
    }
    const [a, b] = nodes as [FakeNamespace, FakeNamespace];
    const errors: { code?: string }[] = [];
    a.adapter.on("error", (e: { code?: string }) => errors.push(e));
    const a1 = a.connect("a1");
    const b1 = b.connect("b1");

    a.adapter.broadcast({ type: 2, nsp: "/", data: ["before"] }, all);
    await until(() => b1.eventsNamed("before").length === 1);

    await redis.stop();
    await until(() => clients.every((c) => c.status !== "ready"), 5_000, "clients to notice");
    for (let i = 0; i < 100; i++) a.adapter.broadcast({ type: 2, nsp: "/", data: ["during", i] }, all);
    a.adapter.serverSideEmit(["plain"]);
    assert.equal(a1.eventsNamed("during").length, 100, "local delivery goes on");
    assert.ok(errors.some((e) => e.code === "SKT_ERR_REDIS_NOT_READY"));
    assert.equal(await a.adapter.serverCount(), 1);
    const found = await a.adapter.fetchSockets(all);
    assert.deepEqual(found.map((s) => s.id), ["a1"]);
    const acked = deferred<[unknown, unknown[]]>();
    a.adapter.serverSideEmit(["q", (err: unknown, res: unknown[]) => acked.resolve([err, res])]);
    assert.deepEqual(await withTimeout(acked.promise), [null, []]);
    a.adapter.persistSession({ sid: "a1", pid: "p", rooms: ["a1"], data: null });
    assert.equal(await a.adapter.restoreSession("p", "x"), null);
    for (const c of clients) assert.equal(offlineQueueLength(c), 0, "nothing is queued during the outage");

    await redis.start();
    await until(() => clients.every((c) => c.status === "ready"), 10_000, "clients to reconnect");
    await untilAsync(async () => (await a.adapter.serverCount()) === 2, "resubscription", 10_000);
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["after"] }, all);
    b.adapter.broadcast({ type: 2, nsp: "/", data: ["back"] }, all);
    await until(() => b1.eventsNamed("after").length === 1 && a1.eventsNamed("back").length === 1);
    assert.equal(b1.eventsNamed("during").length, 0);
  });
});
