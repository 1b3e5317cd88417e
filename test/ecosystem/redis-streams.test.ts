/**
 * @socket.io/redis-streams-adapter on two server processes (node-redis, as its README shows it),
 * including connection state recovery across nodes: a client cut from node A comes back on
 * node B with its id, its rooms and the packets it missed.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { io as ioc } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, tcpProxy } from "../redis/helpers.js";
import { COMPAT_TODO, SERVER, clusterScenarios, peer, uniqueKey, useFleet, waitFor } from "./support.js";

const skip = await needRedis();
after(deleteTrackedKeys);

describe(`@socket.io/redis-streams-adapter: two ${SERVER} nodes`, { skip, todo: COMPAT_TODO["redis-streams-adapter"] }, () => {
  const fleet = useFleet(() => {
    const key = uniqueKey("streams");
    cleanupAtEnd(key);
    return ["A", "B"].map((name) => ({ name, server: SERVER, adapter: "redis-streams" as const, key, redisUrl: REDIS_URL, recovery: true }));
  });
  clusterScenarios(fleet, { waitServerCount: true, todo: COMPAT_TODO["redis-streams-adapter"] });

  test("connection state recovery: a client cut from node A resumes on node B with its id, rooms and missed packets", { todo: COMPAT_TODO["redis-streams-adapter"] }, async (t) => {
    const [a, b] = fleet.nodes;
    const proxy = await tcpProxy(t, a!.port);
    const socket = ioc(proxy.url, {
      forceNew: true,
      transports: ["websocket"],
      auth: { name: "roamer" },
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    t.after(() => socket.disconnect());
    const c = peer("roamer", socket);
    await c.next("connect");
    const before = (await withTimeout(socket.emitWithAck("whoami"))) as { server: string; recovered: boolean };
    assert.deepEqual([before.server, before.recovered], ["A", false]);
    await withTimeout(socket.emitWithAck("join", "travellers"));
    const id = socket.id;
    // A first broadcast gives the client an offset to resume from.
    const first = waitFor(c, "news", (x) => x[0] === 1);
    await a!.call("emit", {}, "news", 1);
    await first;

    const down = c.next("disconnect");
    proxy.target = undefined;
    proxy.cut();
    await down;
    await b!.call("emit", { to: "travellers" }, "news", 2);
    await a!.call("emit", {}, "news", 3);

    const missed = [waitFor(c, "news", (x) => x[0] === 2, 10_000), waitFor(c, "news", (x) => x[0] === 3, 10_000)];
    const back = c.next("connect", 10_000);
    proxy.target = b!.port;
    await back;
    await Promise.all(missed);
    const after = (await withTimeout(socket.emitWithAck("whoami"))) as { server: string; recovered: boolean };
    assert.deepEqual([after.server, after.recovered, socket.recovered, socket.id], ["B", true, true, id]);
    const onB = await b!.call<{ name: string; rooms: string[] }[]>("fetchSockets", { to: "travellers" });
    assert.deepEqual(onB.map((s) => s.name), ["roamer"]);
  });
});
