/**
 * A private redis-server stopped and restarted mid-traffic under three Socketeer nodes (one in a
 * child process) with socket.io-client connections.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Redis } from "ioredis";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { needRedis } from "../helpers/services.js";
import { once, until } from "../helpers/wait.js";
import { privateRedis, startThreeNodes, uniqueKey, untilAsync } from "./helpers.js";

const skip = await needRedis();

function offlineQueueLength(client: Redis): number {
  // ioredis' offline queue is where commands would pile up during an outage.
  return (client as unknown as { offlineQueue: { length: number } }).offlineQueue.length;
}

describe("Redis stopped and restarted under a running cluster", { skip }, () => {
  test("local delivery goes on, errors are reported, and cross-node delivery resumes by itself", async (t) => {
    const redis = await privateRedis(t);
    const config = { redisUrl: redis.url, key: uniqueKey(), requestsTimeout: 1_000 };
    const { a, b, c } = await startThreeNodes(t, config);

    const ticks = new Map<string, number[]>();
    const clients: ClientSocket[] = [];
    for (const [name, url] of [["ca", a.url], ["cb", b.url], ["cc", c.url]] as const) {
      const s = ioc(url, { transports: ["websocket"], forceNew: true, reconnection: false });
      t.after(() => s.disconnect());
      ticks.set(name, []);
      s.on("tick", (n: number) => ticks.get(name)!.push(n));
      await once(s, "connect");
      clients.push(s);
    }
    let n = 0;
    const timer = setInterval(() => a.io.emit("tick", ++n), 10);
    t.after(() => clearInterval(timer));
    const count = (name: string): number => ticks.get(name)!.length;
    await until(() => count("cb") > 5 && count("cc") > 5, 5_000, "ticks everywhere");

    await redis.stop();
    await until(() => a.pub.status !== "ready" && a.sub.status !== "ready", 5_000, "A to notice");
    const stalled = { ca: count("ca"), cb: count("cb"), cc: count("cc") };
    await until(() => count("ca") > stalled.ca + 20, 5_000, "local ticks during the outage");
    assert.ok(a.errors.some((e) => e.code === "SKT_ERR_REDIS_NOT_READY"), "the outage is reported");
    assert.equal(count("cb"), stalled.cb, "no cross-node delivery while Redis is away");
    assert.equal(offlineQueueLength(a.pub), 0, "nothing piles up");
    assert.deepEqual((await a.io.fetchSockets()).map((s) => s.id), [clients[0]!.id]);
    assert.deepEqual(await a.io.serverSideEmitWithAck("ping-node", "down"), []);

    await redis.start();
    await until(() => count("cb") > stalled.cb + 5 && count("cc") > stalled.cc + 5, 15_000, "cross-node ticks to resume");
    await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 3, "three nodes again", 10_000);
    assert.deepEqual(((await a.io.serverSideEmitWithAck("ping-node", "up")) as string[]).sort(), ["B:up", "C:up"]);
    clearInterval(timer);
    // Delivery stays ordered on each client.
    for (const list of ticks.values()) assert.deepEqual(list, [...list].sort((x, y) => x - y));
  });
});
