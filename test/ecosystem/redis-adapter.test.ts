/**
 * @socket.io/redis-adapter on two Socketeer processes, set up as its README shows it on
 * socket.io: with ioredis, with node-redis (v4 and v5), and across a Redis restart.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { io as ioc } from "socket.io-client";
import { spawnChild } from "../helpers/child.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { withTimeout } from "../helpers/wait.js";
import { privateRedis } from "../redis/helpers.js";
import { COMPAT_TODO, NODE_FIXTURE, SERVER, clusterScenarios, peer, uniqueKey, useFleet, waitFor, type AdapterKind } from "./support.js";

const skip = await needRedis();

const clients: [AdapterKind, string][] = [
  ["redis-ioredis", "ioredis"],
  ["redis-node5", "node-redis v5"],
  ["redis-node4", "node-redis v4"],
];

for (const [adapter, label] of clients) {
  describe(`@socket.io/redis-adapter with ${label}: two ${SERVER} nodes`, { skip, todo: COMPAT_TODO["redis-adapter"] }, () => {
    const fleet = useFleet(() => {
      const key = uniqueKey("redis");
      return ["A", "B"].map((name) => ({ name, server: SERVER, adapter, key, redisUrl: REDIS_URL }));
    });
    clusterScenarios(fleet, { todo: COMPAT_TODO["redis-adapter"] });
  });
}

describe(`@socket.io/redis-adapter across a Redis restart (${SERVER})`, { skip, todo: COMPAT_TODO["redis-adapter"] }, () => {
  test("neither node crashes while Redis is down, and delivery resumes once it is back", { todo: COMPAT_TODO["redis-adapter"] }, async (t) => {
    const redis = await privateRedis(t);
    const key = uniqueKey("restart");
    const [a, b] = await Promise.all(
      ["A", "B"].map((name) => spawnChild(t, NODE_FIXTURE, { name, server: SERVER, adapter: "redis-ioredis", key, redisUrl: redis.url })),
    );
    const socket = ioc(b!.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth: { name: "c" } });
    t.after(() => socket.disconnect());
    const c = peer("c", socket);
    await c.next("connect");
    // Until B's subscription is in place (at start, and again after the restart) a broadcast
    // from A is lost: retry with fresh tags until one arrives.
    let n = 0;
    const delivered = (what: string): Promise<void> =>
      withTimeout(
        (async () => {
          for (;;) {
            const tag = `${what}-${++n}`;
            const got = waitFor(c, "hello", (x) => x[0] === tag, 500).then(() => true, () => false);
            await a!.call("emit", {}, "hello", tag);
            if (await got) return;
          }
        })(),
        20_000,
        `a broadcast ${what} the restart`,
      );
    await delivered("before");

    await redis.stop();
    // Broadcasts while Redis is away are lost, but must not throw or crash either process.
    await a!.call("emit", {}, "hello", "during");
    await b!.call("emit", {}, "hello", "during");
    await redis.start();
    await delivered("after");
    assert.equal(a!.process.exitCode, null);
    assert.equal(b!.process.exitCode, null);
    assert.equal(socket.connected, true);
  });
});
