/**
 * Connection state recovery across nodes with socket.io-client: the client's transport is cut
 * (no clean disconnect), broadcasts happen meanwhile, and it reconnects to another node through
 * a TCP proxy standing for the load balancer.
 */
import assert from "node:assert/strict";
import { after, describe, test, type TestContext } from "node:test";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import type { NodeConfig, RunningNode } from "./fixtures/app.js";
import { cleanupAtEnd, deleteTrackedKeys, ioredis, startThreeNodes, tcpProxy, uniqueKey, untilAsync, type ChildNode } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

async function cluster(t: TestContext, recoveryWindow: number): Promise<{ a: RunningNode; b: RunningNode; c: ChildNode; key: string }> {
  const key = uniqueKey();
  cleanupAtEnd(key);
  const config: Omit<NodeConfig, "name"> = { redisUrl: REDIS_URL, key, recoveryWindow };
  return { ...(await startThreeNodes(t, config)), key };
}

function client(t: TestContext, url: string, user: string): ClientSocket {
  const s = ioc(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
    auth: { user },
  });
  t.after(() => s.disconnect());
  return s;
}

describe("connection state recovery across nodes", { skip }, () => {
  test("a cut client reconnecting to another node gets exactly the missed events, in order", async (t) => {
    const { a, b, c } = await cluster(t, 60_000);
    const proxy = await tcpProxy(t, a.port);
    const s = client(t, proxy.url, "u1");
    const got: unknown[][] = [];
    s.on("m", (...args: unknown[]) => got.push(args));
    await once(s, "connect");
    assert.equal(s.recovered, false);
    const firstId = s.id;
    await withTimeout(s.emitWithAck("join", "room1"));
    // A broadcast is in the stream once a watcher on another node than its sender has it: the
    // script that appends it to the stream publishes it (a watcher on the sender's own node gets
    // it before Redis does, and two nodes' appends reaching Redis in one of its event-loop
    // iterations are served in any order). One watcher on A for B's broadcasts, one on B for the others'.
    const watched: unknown[] = [];
    const watchedOnA: unknown[] = [];
    for (const [node, into] of [[b, watched], [a, watchedOnA]] as const) {
      const watcher = client(t, node.url, "watcher");
      watcher.on("m", (n: unknown) => into.push(n));
      watcher.on("other", (n: unknown) => into.push(n));
      await once(watcher, "connect");
      await withTimeout(watcher.emitWithAck("join", "room1"));
    }

    b.io.to("room1").emit("m", 1);
    await c.call("emit", "m", 2);
    await until(() => got.length === 2);

    // Cut the transport; the balancer sends the next connection to the child node.
    proxy.target = undefined;
    proxy.cut();
    await until(() => !a.io.of("/").sockets.has(firstId!), 5_000, "A to notice the cut");
    // Broadcasts from different nodes travel on different connections: Redis orders them as it
    // serves them. Each is awaited in the stream before the next, so the expected order is the stream's.
    b.io.to("room1").emit("m", 3, Buffer.from([3, 3]));
    await until(() => watchedOnA.includes(3));
    a.io.emit("m", 4);
    await until(() => watched.includes(4));
    await c.call("emit", "m", 5);
    b.io.to("other-room").emit("m", "not for u1");
    a.io.except("room1").emit("m", "not for room1");
    a.io.emit("other", 6);
    await until(() => watched.includes(6) && watched.includes(3) && watched.includes(5));

    proxy.target = c.port;
    await once(s, "connect", 10_000);
    assert.equal(s.recovered, true);
    assert.equal(s.id, firstId);
    await until(() => got.length >= 5);
    assert.deepEqual(got.map((args) => args[0]), [1, 2, 3, 4, 5]);
    assert.deepEqual([...new Uint8Array(got[2]![1] as ArrayBuffer)], [3, 3]);

    // The restored rooms are in effect on the new node, for broadcasts from any node.
    const sockets = await c.call<{ id: string; rooms: string[] }[]>("fetchSockets");
    assert.deepEqual(sockets.find((x) => x.id === firstId)?.rooms.sort(), [firstId, "room1"].sort());
    a.io.to("room1").emit("m", 7);
    await until(() => got.length === 6);
    assert.equal(got[5]![0], 7);
  });

  test("after the window the client gets a fresh session", async (t) => {
    const { a, b, key } = await cluster(t, 800);
    const proxy = await tcpProxy(t, a.port);
    const s = client(t, proxy.url, "u2");
    await once(s, "connect");
    const firstId = s.id;
    const got: unknown[] = [];
    s.on("m", (n: unknown) => got.push(n));
    a.io.emit("m", 1);
    await until(() => got.length === 1);
    proxy.target = undefined;
    proxy.cut();
    await until(() => a.io.of("/").sockets.size === 0, 5_000, "A to notice the cut");
    a.io.emit("m", 2);
    const raw = await ioredis(t);
    await untilAsync(async () => (await raw.keys(`${key}-session#*`)).length === 1, "the session to be stored", 5_000);
    await untilAsync(async () => (await raw.keys(`${key}-session#*`)).length === 0, "the session to expire", 5_000);
    proxy.target = b.port;
    await once(s, "connect", 10_000);
    assert.equal(s.recovered, false);
    assert.notEqual(s.id, firstId);
    assert.deepEqual(got, [1]);
  });
});
