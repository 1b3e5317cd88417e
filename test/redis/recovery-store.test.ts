/**
 * Connection state recovery kept in Redis, at the adapter level (fake namespaces, real Redis):
 * a session persisted on one node is restored on another with exactly the packets it missed.
 */
import assert from "node:assert/strict";
import { after, describe, test, type TestContext } from "node:test";
import type { RecoverySettings } from "../../core/adapter/index.js";
import { createAdapter } from "../../integrations/redis/index.js";
import { needRedis } from "../helpers/services.js";
import { until } from "../helpers/wait.js";
import { FakeNamespace } from "./fake-namespace.js";
import { cleanupAtEnd, deleteTrackedKeys, ioredis, uniqueKey, untilAsync } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

async function cluster(t: TestContext, n: number, recovery: RecoverySettings): Promise<{ nodes: FakeNamespace[]; key: string }> {
  const key = uniqueKey();
  cleanupAtEnd(key);
  const nodes: FakeNamespace[] = [];
  for (let i = 0; i < n; i++) {
    const nsp = new FakeNamespace(createAdapter(await ioredis(t), await ioredis(t), { key }), "/", recovery);
    t.after(() => nsp.adapter.close());
    await nsp.adapter.init();
    nodes.push(nsp);
  }
  return { nodes, key };
}

const all = { rooms: new Set<string>(), except: new Set<string>() };
const to = (...rooms: string[]) => ({ rooms: new Set(rooms), except: new Set<string>() });
const last = (data: unknown[]): string => data[data.length - 1] as string;

describe("recovery across nodes", { skip }, () => {
  test("a session persisted on one node is restored on another with exactly the missed packets, in order", async (t) => {
    const { nodes } = await cluster(t, 3, { maxDisconnectionDuration: 60_000, maxPersistedPackets: 1_000 });
    const [a, b, c] = nodes as [FakeNamespace, FakeNamespace, FakeNamespace];
    const s = a.connect("s", ["r"]);
    const watcher = c.connect("w");
    b.adapter.broadcast({ type: 2, nsp: "/", data: ["e1"] }, all);
    await until(() => s.eventsNamed("e1").length === 1);
    const offset = last(s.eventsNamed("e1")[0]!);
    assert.equal(typeof offset, "string");
    await a.adapter.persistSession({ sid: "s", pid: "p1", rooms: ["s", "r"], data: { n: 1 } });
    s.disconnect();

    b.adapter.broadcast({ type: 2, nsp: "/", data: ["e2", Buffer.from([2])] }, all);
    b.adapter.broadcast({ type: 2, nsp: "/", data: ["not-mine"] }, to("other"));
    c.adapter.broadcast({ type: 2, nsp: "/", data: ["e3"] }, to("r"));
    c.adapter.broadcast({ type: 2, nsp: "/", data: ["excluded"] }, { rooms: new Set(["r"]), except: new Set(["s"]) });
    b.adapter.broadcast({ type: 2, nsp: "/", data: ["volatile"] }, { ...all, flags: { volatile: true } });
    b.adapter.broadcast({ type: 2, nsp: "/", data: ["b-local"] }, { ...all, flags: { local: true } });
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["a-local"] }, { ...all, flags: { local: true } });
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["e4"] }, all);
    // Each node appends on its own connection, in order: once a node's last packet (sent only
    // to the watcher, so not for the session) arrived, all of that node's appends are done.
    for (const n of [a, b, c]) n.adapter.broadcast({ type: 2, nsp: "/", data: ["sync"] }, to("w"));
    await until(() => watcher.eventsNamed("sync").length === 3);

    const session = await c.adapter.restoreSession("p1", offset);
    assert.ok(session);
    assert.equal(session.sid, "s");
    assert.deepEqual(session.rooms, ["s", "r"]);
    assert.deepEqual(session.data, { n: 1 });
    const names = session.missedPackets.map((d) => d[0]);
    assert.deepEqual(names.filter((n) => n !== "e2" && n !== "e3"), ["a-local", "e4"]);
    assert.deepEqual(names.slice().sort(), ["a-local", "e2", "e3", "e4"]);
    const e2 = session.missedPackets.find((d) => d[0] === "e2")!;
    assert.deepEqual([...(e2[1] as Buffer)], [2]);
    for (const d of session.missedPackets) assert.equal(typeof last(d), "string");
    assert.equal(await b.adapter.restoreSession("p1", offset), null, "a session is restored once");
  });

  test("an unknown offset or an unknown session gives no recovery", async (t) => {
    const { nodes } = await cluster(t, 2, { maxDisconnectionDuration: 60_000, maxPersistedPackets: 1_000 });
    const [a, b] = nodes as [FakeNamespace, FakeNamespace];
    await a.adapter.persistSession({ sid: "s", pid: "p2", rooms: ["s"], data: null });
    assert.equal(await b.adapter.restoreSession("p2", "not-an-offset"), null);
    await a.adapter.persistSession({ sid: "s", pid: "p3", rooms: ["s"], data: null });
    assert.equal(await b.adapter.restoreSession("p3", `${Date.now().toString(36)}.abc.1`), null);
    assert.equal(await b.adapter.restoreSession("nobody", `${Date.now().toString(36)}.abc.1`), null);
  });

  test("after the window the session is gone and the keys expire", async (t) => {
    const { nodes, key } = await cluster(t, 2, { maxDisconnectionDuration: 200, maxPersistedPackets: 1_000 });
    const [a, b] = nodes as [FakeNamespace, FakeNamespace];
    const s = a.connect("s");
    a.adapter.broadcast({ type: 2, nsp: "/", data: ["e1"] }, all);
    const offset = last(s.eventsNamed("e1")[0]!);
    await a.adapter.persistSession({ sid: "s", pid: "p4", rooms: ["s"], data: null });
    const raw = await ioredis(t);
    await untilAsync(async () => (await raw.exists(`${key}-session#/#p4`)) === 0, "session expiry");
    assert.equal(await b.adapter.restoreSession("p4", offset), null);
    await untilAsync(async () => (await raw.exists(`${key}-stream#/#`)) === 0, "stream expiry");
  });

  test("the stream stays bounded by its cap", async (t) => {
    const { nodes, key } = await cluster(t, 1, { maxDisconnectionDuration: 60_000, maxPersistedPackets: 100 });
    const [a] = nodes as [FakeNamespace];
    const w = a.connect("w");
    for (let i = 0; i < 1_000; i++) a.adapter.broadcast({ type: 2, nsp: "/", data: ["e", i] }, all);
    assert.equal(w.received.length, 1_000);
    const raw = await ioredis(t);
        // Wait for the last append: it carries the last offset.
    const lastOffset = last(w.eventsNamed("e")[999]!);
    await untilAsync(async () => {
      const [entry] = (await raw.xrevrange(`${key}-stream#/#`, "+", "-", "COUNT", 1)) as [string, string[]][];
      return entry?.[1][1] === lastOffset;
    });
    // MAXLEN ~ trims whole radix-tree nodes (100 entries by default): at most one node over.
    assert.ok((await raw.xlen(`${key}-stream#/#`)) <= 200);
  });
});
