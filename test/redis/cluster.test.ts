/**
 * Three Socketeer servers on one Redis (two in this process, one in a child process), each with
 * socket.io-client connections: every cross-node operation, with binary data.
 */
import assert from "node:assert/strict";
import { after, before, describe, test, type TestContext } from "node:test";
import { io as ioc, type Socket as ClientSocket, type SocketOptions, type ManagerOptions } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { startNode, type RunningNode } from "./fixtures/app.js";
import { cleanupAtEnd, deleteTrackedKeys, record, spawnNode, uniqueKey, untilAsync, type ChildNode } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

type Cleanup = () => unknown;

/** Waits for one event of a socket.io-client socket. */
async function connect(t: TestContext, url: string, name: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<ClientSocket> {
  const s = ioc(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { user: name }, ...opts });
  t.after(() => s.disconnect());
  s.on("q", (ack: (v: string) => void) => ack(name));
  s.on("ask", (ack: (v: string) => void) => ack(`${name}:yes`));
  await once(s, "connect");
  return s;
}

function join(s: ClientSocket, room: string): Promise<unknown> {
  return withTimeout(s.emitWithAck("join", room));
}


describe("three Socketeer nodes on one Redis", { skip }, () => {
  const cleanups: Cleanup[] = [];
  const scope = { after: (fn: Cleanup) => void cleanups.push(fn) };
  let a: RunningNode;
  let b: RunningNode;
  let c: ChildNode;
  let marker = 0;
  let config: { redisUrl: string; key: string; requestsTimeout: number };

  async function roomsOnChild(id: string): Promise<string[]> {
    const sockets = await c.call<{ id: string; rooms: string[] }[]>("fetchSockets");
    return sockets.find((s) => s.id === id)?.rooms ?? [];
  }

  /** Emits a marker from A and waits for every client to get it: A's earlier sends have arrived. */
  async function flush(clients: Map<string, unknown[][]>[]): Promise<void> {
    const n = ++marker;
    a.io.emit("marker", n);
    await until(() => clients.every((seen) => (seen.get("marker") ?? []).some(([m]) => m === n)));
  }

  before(async () => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    config = { redisUrl: REDIS_URL, key, requestsTimeout: 1_500 };
    a = await startNode({ ...config, name: "A" });
    cleanups.push(() => a.close());
    b = await startNode({ ...config, name: "B" });
    cleanups.push(() => b.close());
    c = await spawnNode(scope as never, { ...config, name: "C" });
    await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 3, "three nodes");
  });

  after(async () => {
    // Node runs after() hooks in order; cleanups are undone last-in first-out.
    for (const fn of cleanups.reverse()) await fn();
  });

  test("broadcasts reach the clients of every node, binary included", async (t) => {
    const ca = await connect(t, a.url, "ca");
    const cb = await connect(t, b.url, "cb", { transports: ["polling"] });
    const cc = await connect(t, c.url, "cc");
    const bytes = Buffer.from([1, 2, 3, 250]);
    const got = Promise.all([ca, cb, cc].map((s) => once<[{ n: number; file: Buffer }]>(s, "news")));
    a.io.emit("news", { n: 1, file: bytes });
    for (const [msg] of await got) {
      assert.equal(msg.n, 1);
      assert.deepEqual([...new Uint8Array(msg.file)], [...bytes]);
    }
    const fromChild = Promise.all([ca, cb].map((s) => once<[Buffer]>(s, "from-c")));
    await c.call("emit", "from-c", Buffer.from([9]));
    for (const [buf] of await fromChild) assert.deepEqual([...new Uint8Array(buf)], [9]);
  });

  test("rooms and except apply on every node; local stays on its node", async (t) => {
    const ca = await connect(t, a.url, "ca");
    const cb = await connect(t, b.url, "cb");
    const cc = await connect(t, c.url, "cc");
    const seen = [ca, cb, cc].map(record);
    await Promise.all([join(ca, "r"), join(cc, "r")]);
    a.io.to("r").emit("r-msg", "x");
    b.io.to("r").except(ca.id!).emit("r-but-a");
    b.io.local.emit("local-b");
    await flush(seen);
    assert.deepEqual(seen.map((s) => s.get("r-msg")?.length ?? 0), [1, 0, 1]);
    assert.deepEqual(seen.map((s) => s.get("r-but-a")?.length ?? 0), [0, 0, 1]);
    assert.deepEqual(seen.map((s) => s.get("local-b")?.length ?? 0), [0, 1, 0]);
  });

  test("socketsJoin, socketsLeave and disconnectSockets reach sockets on other nodes", async (t) => {
    const ca = await connect(t, a.url, "ca");
    const cb = await connect(t, b.url, "cb");
    const cc = await connect(t, c.url, "cc");
    const seen = [ca, cb, cc].map(record);
    a.io.in(cc.id!).socketsJoin(["j1", "j2"]);
    a.io.to("j1").emit("in-j1");
    await flush(seen);
    assert.deepEqual(seen.map((s) => s.get("in-j1")?.length ?? 0), [0, 0, 1]);
    b.io.in("j2").socketsLeave("j1");
    // B published the leave, A publishes next: wait until the child applied it.
    await untilAsync(async () => !(await roomsOnChild(cc.id!)).includes("j1"), "the leave");
    a.io.to("j1").emit("in-j1-again");
    a.io.to("j2").emit("in-j2");
    await flush(seen);
    assert.equal(seen[2]!.get("in-j1-again")?.length ?? 0, 0);
    assert.equal(seen[2]!.get("in-j2")?.length, 1);
    const bye = once<[string]>(cb, "disconnect");
    a.io.in(cb.id!).disconnectSockets(true);
    assert.equal((await bye)[0], "io server disconnect");
    assert.ok(ca.connected && cc.connected);
  });

  test("fetchSockets returns remote sockets whose methods act on the node holding them", async (t) => {
    const ca = await connect(t, a.url, "ca");
    const cc = await connect(t, c.url, "cc");
    await join(cc, "fetch-room");
    const found = await a.io.fetchSockets();
    const remote = found.find((s) => s.id === cc.id);
    assert.ok(remote, "the socket on the child node is found");
    assert.deepEqual((remote.handshake as { auth: unknown }).auth, { user: "cc" });
    assert.deepEqual(remote.data, { node: "C", user: "cc" });
    assert.deepEqual([...remote.rooms].sort(), [cc.id, "fetch-room"].sort());
    assert.ok(found.some((s) => s.id === ca.id));
    const inRoom = await b.io.in("fetch-room").fetchSockets();
    assert.deepEqual(inRoom.map((s) => s.id), [cc.id]);

    const direct = once<[Buffer]>(cc, "direct");
    remote.emit("direct", Buffer.from([4, 2]));
    assert.deepEqual([...new Uint8Array((await direct)[0])], [4, 2]);
    assert.equal(await remote.timeout(3_000).emitWithAck("ask"), "cc:yes");
    remote.join("joined-remotely");
    await untilAsync(async () => (await roomsOnChild(cc.id!)).includes("joined-remotely"), "the remote join");
    const viaRoom = once(cc, "via-room");
    b.io.to("joined-remotely").emit("via-room");
    await viaRoom;
    remote.leave("fetch-room");
    await untilAsync(async () => !(await roomsOnChild(cc.id!)).includes("fetch-room"), "the remote leave");
    const bye = once<[string]>(cc, "disconnect");
    remote.disconnect(true);
    assert.equal((await bye)[0], "io server disconnect");

    const seenByChild = await c.call<{ id: string; data: { node: string } }[]>("fetchSockets");
    assert.equal(seenByChild.find((s) => s.id === ca.id)?.data.node, "A");
  });

  test("serverSideEmit reaches the other nodes, with and without acks", async () => {
    a.io.serverSideEmit("ping-node", "x");
    await untilAsync(async () => (await c.call<unknown[][]>("serverSide")).some((e) => e[1] === "x"), "child to hear x");
    await until(() => b.serverSide.some((e) => e[1] === "x"));
    assert.ok(!a.serverSide.some((e) => e[1] === "x"), "the sender does not hear itself");
    a.io.serverSideEmit("ping-node", "bin", Buffer.from([5, 6]));
    await until(() => b.serverSide.some((e) => e[1] === "bin"));
    assert.deepEqual([...(b.serverSide.find((e) => e[1] === "bin")![2] as Buffer)], [5, 6]);
    const answers = await a.io.serverSideEmitWithAck("ping-node", "y");
    assert.deepEqual((answers as string[]).sort(), ["B:y", "C:y"]);
    const fromChild = await c.call<string[]>("serverSideEmitWithAck", "ping-node", "z");
    assert.deepEqual(fromChild.sort(), ["A:z", "B:z"]);
  });

  test("broadcast acks collect the answers of every node's clients, or time out saying how many answered", async (t) => {
    const clients = [await connect(t, a.url, "ca"), await connect(t, b.url, "cb"), await connect(t, c.url, "cc")];
    await Promise.all(clients.map((s) => join(s, "ack-room")));
    const answers = await a.io.to("ack-room").timeout(5_000).emitWithAck("q");
    assert.deepEqual((answers as string[]).sort(), ["ca", "cb", "cc"]);
    for (const s of clients) s.on("qb", (ack: (v: Buffer) => void) => ack(Buffer.from([clients.indexOf(s)])));
    const binary = (await b.io.to("ack-room").timeout(5_000).emitWithAck("qb")) as ArrayBuffer[];
    assert.deepEqual(binary.map((x) => new Uint8Array(x)[0]).sort(), [0, 1, 2]);
    const mute = await connect(t, c.url, "mute");
    mute.off("q");
    mute.on("q", () => {});
    await join(mute, "ack-room");
    await assert.rejects(a.io.to("ack-room").timeout(800).emitWithAck("q"), (err: { code?: string; message: string }) => {
      assert.equal(err.code, "SKT_ERR_BROADCAST_ACK_TIMEOUT");
      assert.match(err.message, /3 of 4/);
      return true;
    });
  });

  test("requests follow the nodes present and time out when one of them does not answer", async (t) => {
    const d = await startNode({ ...config, name: "D" });
    t.after(() => d.close());
    await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 4, "four nodes");
    assert.deepEqual(((await a.io.serverSideEmitWithAck("ping-node", "w")) as string[]).sort(), ["B:w", "C:w", "D:w"]);
    await d.close();
    await untilAsync(async () => (await a.io.of("/").adapter.serverCount()) === 3, "back to three nodes");
    assert.deepEqual(((await a.io.serverSideEmitWithAck("ping-node", "v")) as string[]).sort(), ["B:v", "C:v"]);

    // A node present (subscribed) but frozen: the request times out and says who answered.
    c.child.kill("SIGSTOP");
    t.after(() => c.child.kill("SIGCONT"));
    await assert.rejects(a.io.fetchSockets(), (err: { code?: string; message: string }) => {
      assert.equal(err.code, "SKT_ERR_ADAPTER_REQUEST_TIMEOUT");
      assert.match(err.message, /1 of 2 nodes answered/);
      return true;
    });
    await assert.rejects(a.io.serverSideEmitWithAck("ping-node", "silent"), { code: "SKT_ERR_ADAPTER_REQUEST_TIMEOUT" });
    c.child.kill("SIGCONT");
    assert.deepEqual(((await a.io.serverSideEmitWithAck("ping-node", "u")) as string[]).sort(), ["B:u", "C:u"]);
  });
});
