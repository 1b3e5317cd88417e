/**
 * The Redis adapter on several simulated nodes (one process, fake namespaces, real Redis).
 */
import assert from "node:assert/strict";
import { after, describe, test, type TestContext } from "node:test";
import { createClient } from "redis";
import { createAdapter, type RedisAdapterOptions } from "../../integrations/redis/index.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { deferred, until, withTimeout } from "../helpers/wait.js";
import { FakeNamespace } from "./fake-namespace.js";
import { cleanupAtEnd, deleteTrackedKeys, ioredis, uniqueKey } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

async function node(t: TestContext, key: string, opts: RedisAdapterOptions = {}, name = "/"): Promise<FakeNamespace> {
  const pub = await ioredis(t);
  const sub = await ioredis(t);
  const nsp = new FakeNamespace(createAdapter(pub, sub, { key, ...opts }), name);
  t.after(() => nsp.adapter.close());
  await nsp.adapter.init();
  return nsp;
}

async function cluster(t: TestContext, n: number, opts: RedisAdapterOptions = {}, key = uniqueKey()): Promise<FakeNamespace[]> {
  cleanupAtEnd(key);
  const nodes: FakeNamespace[] = [];
  for (let i = 0; i < n; i++) nodes.push(await node(t, key, opts));
  assert.equal(await nodes[0]!.adapter.serverCount(), n);
  return nodes;
}

const everyone = { rooms: new Set<string>(), except: new Set<string>() };

describe("RedisAdapter across nodes", { skip }, () => {
  test("serverCount follows the nodes actually present", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    assert.equal(await b!.adapter.serverCount(), 3);
    await c!.adapter.close();
    assert.equal(await a!.adapter.serverCount(), 2);
  });

  test("broadcasts reach every node with rooms, except and binary data; `local` stays local", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    const a1 = a!.connect("a1", ["red"]);
    const b1 = b!.connect("b1", ["red"]);
    const b2 = b!.connect("b2", ["blue"]);
    const c1 = c!.connect("c1", ["red", "muted"]);
    const bytes = Buffer.from([0, 1, 2, 255]);
    a!.adapter.broadcast({ type: 2, nsp: "/", data: ["all", { file: bytes }] }, everyone);
    a!.adapter.broadcast({ type: 2, nsp: "/", data: ["red"] }, { rooms: new Set(["red"]), except: new Set(["muted"]) });
    a!.adapter.broadcast({ type: 2, nsp: "/", data: ["local"] }, { ...everyone, flags: { local: true } });
    a!.adapter.broadcast({ type: 2, nsp: "/", data: ["last"] }, everyone);
    await until(() => [a1, b1, b2, c1].every((s) => s.eventsNamed("last").length === 1));
    for (const s of [a1, b1, b2, c1]) {
      const [all] = s.eventsNamed("all");
      assert.deepEqual([...((all![1] as { file: Uint8Array }).file)], [...bytes]);
    }
    assert.deepEqual([a1, b1, b2, c1].map((s) => s.eventsNamed("red").length), [1, 1, 0, 0]);
    assert.deepEqual([a1, b1, b2, c1].map((s) => s.eventsNamed("local").length), [1, 0, 0, 0]);
  });

  test("socketsJoin, socketsLeave and disconnectSockets act on every node", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    a!.connect("a1", ["x"]);
    const b1 = b!.connect("b1", ["x"]);
    const c1 = c!.connect("c1");
    a!.adapter.addSockets({ rooms: new Set(["x"]), except: new Set() }, ["joined"]);
    await until(() => b1.rooms.has("joined"));
    assert.ok(!c1.rooms.has("joined"));
    a!.adapter.delSockets({ rooms: new Set(["joined"]), except: new Set() }, ["x"]);
    await until(() => !b1.rooms.has("x"));
    a!.adapter.disconnectSockets({ rooms: new Set(["c1"]), except: new Set() }, true);
    await until(() => c1.disconnected === true);
    assert.equal(b1.disconnected, undefined);
  });

  test("fetchSockets returns remote sockets with id, handshake, rooms and data", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    a!.connect("a1", ["r"]);
    const b1 = b!.connect("b1", ["r"]);
    b1.data = { user: "bob", avatar: Buffer.from([7]) };
    c!.connect("c1");
    const found = (await a!.adapter.fetchSockets({ rooms: new Set(["r"]), except: new Set() })) as unknown as {
      id: string;
      rooms: Set<string>;
      data: { user?: string; avatar?: Buffer };
      handshake: { auth: unknown };
    }[];
    assert.deepEqual(found.map((s) => s.id).sort(), ["a1", "b1"]);
    const remote = found.find((s) => s.id === "b1")!;
    assert.deepEqual([...remote.rooms].sort(), ["b1", "r"]);
    assert.equal(remote.data.user, "bob");
    assert.deepEqual([...remote.data.avatar!], [7]);
    assert.deepEqual(remote.handshake.auth, { token: "t" });
    const local = await a!.adapter.fetchSockets({ rooms: new Set(), except: new Set(), flags: { local: true } });
    assert.deepEqual(local.map((s) => s.id), ["a1"]);
  });

  test("serverSideEmit reaches the other nodes, with and without acks", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    const heard: string[] = [];
    a!.on("ping", () => heard.push("a"));
    b!.on("ping", (n: number) => heard.push(`b${n}`));
    c!.on("ping", (n: number) => heard.push(`c${n}`));
    a!.adapter.serverSideEmit(["ping", 1]);
    await until(() => heard.length === 2);
    assert.deepEqual(heard.sort(), ["b1", "c1"]);
    b!.on("ask", (q: string, cb: (v: unknown) => void) => cb(`b:${q}`));
    c!.on("ask", (q: string, cb: (v: unknown) => void) => cb(`c:${q}`));
    const done = deferred<[Error | null, unknown[]]>();
    a!.adapter.serverSideEmit(["ask", "q", (err: Error | null, res: unknown[]) => done.resolve([err, res])]);
    const [err, res] = await withTimeout(done.promise);
    assert.equal(err, null);
    assert.deepEqual(res.sort(), ["b:q", "c:q"]);
  });

  test("a request times out with SKT_ERR_ADAPTER_REQUEST_TIMEOUT saying how many nodes answered", async (t) => {
    const [a, b] = await cluster(t, 3, { requestsTimeout: 300 });
    b!.on("ask", (cb: (v: unknown) => void) => cb("b"));
    const done = deferred<[{ code?: string; message: string } | null, unknown[]]>();
    a!.adapter.serverSideEmit(["ask", (err: Error | null, res: unknown[]) => done.resolve([err as never, res])]);
    const [err, res] = await withTimeout(done.promise);
    assert.equal(err?.code, "SKT_ERR_ADAPTER_REQUEST_TIMEOUT");
    assert.match(err!.message, /1 of 2/);
    assert.deepEqual(res, ["b"]);
  });

  test("broadcastWithAck collects client counts and acks from every node", async (t) => {
    const [a, b, c] = await cluster(t, 3);
    a!.connect("a1");
    const b1 = b!.connect("b1");
    const c1 = c!.connect("c1");
    const c2 = c!.connect("c2");
    const counts: number[] = [];
    const acks: unknown[] = [];
    a!.adapter.broadcastWithAck(
      { type: 2, nsp: "/", data: ["q"] },
      { ...everyone, flags: { timeout: 5_000 } },
      (n) => counts.push(n),
      (arg) => acks.push(arg),
    );
    await until(() => counts.length === 3 && [b1, c1, c2].every((s) => s.acks.size === 1));
    assert.deepEqual(counts.sort(), [1, 1, 2]);
    for (const s of [b1, c1, c2]) [...s.acks.values()][0]!(`${s.id}!`, Buffer.from([1]));
    await until(() => acks.length === 3);
    assert.deepEqual(acks.sort(), ["b1!", "c1!", "c2!"]);
  });

  test("allRooms lists the rooms of every node", async (t) => {
    const [a, b] = await cluster(t, 2);
    a!.connect("a1", ["ra"]);
    b!.connect("b1", ["rb"]);
    assert.deepEqual([...(await a!.adapter.allRooms())].sort(), ["a1", "b1", "ra", "rb"]);
  });

  test("namespaces do not mix", async (t) => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    const root = await node(t, key);
    const chat = await node(t, key, {}, "/chat");
    const chat2 = await node(t, key, {}, "/chat");
    const r = root.connect("r1");
    const c = chat2.connect("c1");
    chat.adapter.broadcast({ type: 2, nsp: "/chat", data: ["hi"] }, everyone);
    await until(() => c.eventsNamed("hi").length === 1);
    assert.equal(r.eventsNamed("hi").length, 0);
    assert.equal(await root.adapter.serverCount(), 1);
    assert.equal(await chat.adapter.serverCount(), 2);
  });

  test("works with node-redis v4 clients next to ioredis nodes", async (t) => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    const pub = createClient({ url: REDIS_URL });
    const sub = pub.duplicate();
    pub.on("error", () => {});
    sub.on("error", () => {});
    await Promise.all([pub.connect(), sub.connect()]);
    t.after(async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    });
    const v4 = new FakeNamespace(createAdapter(pub, sub, { key }));
    t.after(() => v4.adapter.close());
    await v4.adapter.init();
    const io = await node(t, key);
    const s1 = v4.connect("s1");
    const s2 = io.connect("s2");
    io.adapter.broadcast({ type: 2, nsp: "/", data: ["to-v4", Buffer.from([3])] }, everyone);
    v4.adapter.broadcast({ type: 2, nsp: "/", data: ["to-io"] }, everyone);
    await until(() => s1.eventsNamed("to-v4").length === 1 && s2.eventsNamed("to-io").length === 1);
    assert.equal(await v4.adapter.serverCount(), 2);
    const found = await v4.adapter.fetchSockets(everyone);
    assert.deepEqual(found.map((s) => s.id).sort(), ["s1", "s2"]);
  });

  test("a malformed frame is dropped and reported on the error event", async (t) => {
    const key = uniqueKey();
    const [a] = await cluster(t, 1, {}, key);
    const errors: { code?: string }[] = [];
    a!.adapter.on("error", (e: { code?: string }) => errors.push(e));
    const raw = await ioredis(t);
    assert.equal(await raw.publish(`${key}-request#/#`, Buffer.from("garbage")), 1);
    await until(() => errors.length > 0);
    assert.equal(errors[0]!.code, "SKT_ERR_REDIS_INVALID_MESSAGE");
  });
});

describe("createAdapter", () => {
  test("rejects what is not a Redis client, and invalid options", () => {
    assert.throws(() => createAdapter({}, {}), { code: "SKT_ERR_REDIS_UNSUPPORTED_CLIENT" });
    const fake = { status: "ready", call: async () => null, on: () => {} };
    assert.throws(() => createAdapter(fake, fake, { requestsTimeout: -1 }), { code: "SKT_ERR_OPTIONS_OUT_OF_RANGE" });
    assert.throws(() => createAdapter(fake, fake, { keyy: "x" } as never), { code: "SKT_ERR_OPTIONS_UNKNOWN" });
    assert.equal(typeof createAdapter(fake, fake, { key: "k" }), "function");
  });
});
