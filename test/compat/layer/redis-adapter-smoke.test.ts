/**
 * @module test/compat/layer/redis-adapter-smoke — the official @socket.io/redis-adapter 8.3 (built
 * on socket.io-adapter) on two Socketeer servers and the local Redis: a quick proof that the
 * compatibility layer carries a real cluster adapter (the full ecosystem suite lives elsewhere).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Socket } from "../../../core/index.js";
import { Redis } from "ioredis";
import { REDIS_URL, needRedis } from "../../helpers/services.js";
import { setup, waitFor, type Setup } from "../support.js";
import { uniqueKey, untilAsync } from "../../redis/helpers.js";

const skip = await needRedis();

async function node(t: Parameters<typeof setup>[0], key: string): Promise<Setup> {
  const pub = new Redis(REDIS_URL);
  const sub = pub.duplicate();
  const s = await setup(t, { adapter: createAdapter(pub, sub, { key, requestsTimeout: 2_000 }) as never });
  // after io.close(), which unsubscribes through them (hooks run in the order they were added)
  t.after(() => {
    pub.disconnect();
    sub.disconnect();
  });
  return s;
}

test("two Socketeer nodes on @socket.io/redis-adapter act as one cluster", { skip }, async (t) => {
  const key = uniqueKey();
  const [n1, n2] = [await node(t, key), await node(t, key)];
  await untilAsync(async () => (await n1.io.of("/").adapter.serverCount()) === 2, "both nodes subscribed");
  const c1connected = waitFor<[Socket]>(n1.io, "connection");
  const c1 = await n1.connect();
  const [s1] = await c1connected;
  const c2connected = waitFor<[Socket]>(n2.io, "connection");
  const c2 = await n2.connect("/", { transports: ["polling"] });
  const [s2] = await c2connected;
  await s2.join("room");

  // a broadcast from node 1 reaches node 2's room; binary crosses too
  const heard = waitFor(c2, "hello");
  n1.io.to("room").emit("hello", Buffer.from([7]));
  assert.deepEqual([...Buffer.from((await heard)[0] as Buffer)], [7]);

  // fetchSockets and socketsJoin across nodes
  const all = await n1.io.fetchSockets();
  assert.deepEqual(all.map((s) => s.id).sort(), [s1.id, s2.id].sort());
  n2.io.socketsJoin("everyone");
  await untilAsync(async () => s1.rooms.has("everyone"), "remote join");

  // serverSideEmit with an ack: node 2's listener answers node 1
  n2.io.on("whoami", (cb: (v: string) => void) => cb("node2"));
  assert.deepEqual(await n1.io.serverSideEmitWithAck("whoami"), ["node2"]);

  // broadcast acks with a timeout, answered on both nodes
  c1.on("q", (cb: (v: string) => void) => cb("one"));
  c2.on("q", (cb: (v: string) => void) => cb("two"));
  const answers = await n1.io.timeout(2_000).emitWithAck("q");
  assert.deepEqual([...answers].sort(), ["one", "two"]);

  // disconnectSockets from the other node
  const gone = waitFor(c1, "disconnect");
  n2.io.disconnectSockets();
  await gone;
});
