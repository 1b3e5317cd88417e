/**
 * No sticky sessions (`createAdapter(pub, sub, { stickySessions: false })`): Socketeer nodes in
 * their own processes behind a round-robin balancer (test/helpers/round-robin.ts) that sends each
 * HTTP request and each upgrade to the next node. With the option, a polling request for a
 * session of another node is relayed to its owner through Redis; without it, today's
 * `400 Session ID unknown`.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import notepack from "notepack.io";
import { createClient } from "redis";
import type { Socket as ClientSocket } from "socket.io-client";
import { createAdapter, createShardedAdapter } from "../../integrations/redis/index.js";
import { client, connected, refused } from "../helpers/client.js";
import { roundRobin, type RoundRobin } from "../helpers/round-robin.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, ioredis, privateRedis, spawnNode, uniqueKey, untilAsync, type ChildNode } from "./helpers.js";

const skip = await needRedis();
const msgpackEncode = (value: unknown): Buffer => notepack.encode(value) as Buffer;
after(deleteTrackedKeys);

interface Cluster {
  nodes: ChildNode[];
  balancer: RoundRobin;
  url: string;
}

interface Whoami {
  node: string;
  id: string;
  sid: string;
  transport: string;
}

async function cluster(
  t: { after(fn: () => unknown): void },
  n: number,
  stickySessions: boolean,
  engine: Record<string, unknown> = {},
  redisUrl = REDIS_URL,
  key = uniqueKey(),
  sharded = false,
): Promise<Cluster> {
  // a private Redis is gone at the end: nothing to clean there
  if (redisUrl === REDIS_URL) cleanupAtEnd(key);
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) => spawnNode(t, { key, redisUrl, name: `n${i}`, stickySessions, engine, sharded }, "relay-node.ts")),
  );
  const balancer = await roundRobin(
    t,
    nodes.map((node) => node.port),
  );
  return { nodes, balancer, url: balancer.url };
}

function ack<T>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return withTimeout(socket.timeout(5_000).emitWithAck(event, ...args) as Promise<T>, 6_000, `ack of ${event}`);
}

/** Raw Engine.IO polling: the handshake, then GETs with the session id, each through the balancer. */
async function rawHandshake(url: string): Promise<string> {
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

describe("no sticky sessions: polling behind a round-robin balancer", { skip }, () => {
  test("without the option, the request after the handshake lands on another node: 400 Session ID unknown", async (t) => {
    const c = await cluster(t, 2, true);
    const sid = await rawHandshake(c.url);
    const res = await fetch(`${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 1, message: "Session ID unknown" });
    // and the official client cannot get past its first poll
    const s = client(t, c.url, { transports: ["polling"] });
    const err = await refused(s);
    assert.match(err.message, /xhr poll error|xhr post error/);
  });

  test("with the option, the same request is relayed to the owner and served", async (t) => {
    const c = await cluster(t, 2, false);
    const sid = await rawHandshake(c.url);
    const q = `${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    // the handshake's node owns the session: this GET lands on the other one and parks at the owner
    const poll = fetch(q);
    await until(() => c.balancer.log.length >= 2, 5_000, "the GET forwarded");
    assert.notEqual(c.balancer.log[1]!.port, c.balancer.log[0]!.port);
    // Socket.IO's CONNECT, on the owner: its answer releases the relayed GET
    const post = await fetch(q, { method: "POST", body: "40" });
    assert.equal(post.status, 200);
    assert.equal(await post.text(), "ok");
    const res = await poll;
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^40\{"sid":"[^"]+"\}$/);
  });

  test("the duplicate-GET rule holds across nodes: a second parked GET gets 400 and ends the session", async (t) => {
    const c = await cluster(t, 2, false);
    const sid = await rawHandshake(c.url);
    const q = `${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    // one lands on the other node (relayed), one on the owner: whichever the owner sees second is refused
    const answers = await Promise.all([fetch(q), fetch(q)]);
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.text() })));
    bodies.sort((x, y) => x.status - y.status);
    assert.equal(bodies[0]!.status, 200);
    assert.match(bodies[0]!.body, /1$/); // the parked GET carries the close packet
    assert.equal(bodies[1]!.status, 400);
    assert.deepEqual(JSON.parse(bodies[1]!.body), { code: 3, message: "Bad request" });
    assert.deepEqual(new Set(c.balancer.log.slice(1).map((l) => l.port)).size, 2);
  });

  test("the official client over polling: acks both ways, binary, rooms and broadcasts across nodes", async (t) => {
    const c = await cluster(t, 3, false);
    const sockets: ClientSocket[] = [];
    const who: Whoami[] = [];
    // connect until two clients are owned by different nodes
    while (new Set(who.map((w) => w.node)).size < 2) {
      const s = client(t, c.url, { transports: ["polling"] });
      await connected(s);
      sockets.push(s);
      who.push(await ack<Whoami>(s, "whoami"));
      assert.ok(sockets.length < 6, "the handshakes should spread over the nodes");
      // shift the rotation by one request, so the next handshake lands elsewhere
      await rawHandshake(c.url);
    }
    const a = sockets[0]!;
    const ia = who.findIndex((w) => w.node !== who[0]!.node);
    const b = sockets[ia]!;
    assert.equal(who[0]!.sid, a.io.engine.id);
    // acks both ways
    assert.deepEqual(await ack(a, "echo", "hello", 42, { deep: [1, 2] }), "hello");
    const answer = new Promise<void>((resolve) => a.once("question", (n: number, reply: (v: number) => void) => (reply(n * 2), resolve())));
    assert.equal(await ack(a, "ask"), 42);
    await answer;
    // binary both ways
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const back = await withTimeout(a.timeout(5_000).emitWithAck("echo", bytes) as Promise<ArrayBuffer | Buffer>, 6_000, "binary echo");
    assert.deepEqual(Buffer.from(back as ArrayBuffer), bytes);
    // rooms and broadcasts from a socket of another node
    await ack(a, "join", "blue");
    const inRoom = once<[unknown]>(a, "room-news", 5_000);
    await ack(b, "to-room", "blue", "room-news", { from: "b" });
    assert.deepEqual((await inRoom)[0], { from: "b" });
    const everyone = Promise.all(sockets.map((s) => once<[number]>(s, "all-news", 5_000)));
    await ack(a, "broadcast", "all-news", 7);
    assert.deepEqual(
      (await everyone).map(([v]) => v),
      sockets.map(() => 7),
    );
    // the requests of the sessions really crossed nodes
    assert.ok(new Set(c.balancer.log.map((l) => l.port)).size === 3);
    // close: the owner sees the client leave
    const owner = c.nodes[Number(who[0]!.node.slice(1))]!;
    a.disconnect();
    await untilAsync(async () => (await owner.call<string[]>("disconnects")).includes("client namespace disconnect"), "the owner sees the disconnect");
  });
});

describe("no sticky sessions: heartbeats, limits, failures, upgrades", { skip }, () => {
  test("heartbeats go on through relayed polls (SKT_LONG_SESSION_MS for a longer run)", async (t) => {
    const c = await cluster(t, 2, false, { pingInterval: 200, pingTimeout: 1_000 });
    const s = client(t, c.url, { transports: ["polling"] });
    await connected(s);
    let pings = 0;
    s.io.engine.on("ping", () => pings++);
    let disconnected: string | undefined;
    s.on("disconnect", (reason) => (disconnected = reason));
    const ms = Number(process.env.SKT_LONG_SESSION_MS ?? 3_000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      s.once("disconnect", (reason) => {
        clearTimeout(timer);
        reject(new Error(`disconnected: ${reason}`));
      });
    });
    assert.equal(disconnected, undefined);
    assert.ok(pings >= ms / 200 / 2, `${pings} pings in ${ms} ms`);
    assert.equal((await ack<Whoami>(s, "whoami")).sid, s.io.engine.id);
  });

  test("maxHttpBufferSize is the owner's: a relayed POST at the limit is taken, one byte over gets 413", async (t) => {
    const limit = 1_000;
    const c = await cluster(t, 2, false, { maxHttpBufferSize: limit });
    for (const [size, status] of [
      [limit, 200],
      [limit + 1, 413],
    ] as const) {
      const sid = await rawHandshake(c.url); // on one node…
      const res = await fetch(`${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, {
        method: "POST",
        body: `3${"x".repeat(size - 1)}`, // …the POST on the other (a pong with data)
      });
      assert.equal(res.status, status, `a body of ${size} bytes`);
      const last = c.balancer.log.slice(-2);
      assert.notEqual(last[0]!.port, last[1]!.port);
    }
  });

  test("the owner node killed while a relayed GET is parked there: that GET gets Session ID unknown within seconds", async (t) => {
    const c = await cluster(t, 2, false);
    const sid = await rawHandshake(c.url);
    const owner = c.nodes.find((n) => n.port === c.balancer.log[0]!.port)!;
    const poll = fetch(`${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`); // relayed, parks
    await untilAsync(async () => (await owner.call<string[]>("sessions")).includes(sid), "the session on its owner");
    await until(() => c.balancer.log.length >= 2, 5_000, "the GET forwarded");
    const started = Date.now();
    owner.child.kill("SIGKILL");
    const res = await withTimeout(poll, 5_000, "the parked GET's answer");
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 1, message: "Session ID unknown" });
    assert.ok(Date.now() - started < 4_000);
  });

  test("the owner node killed: the next request gets Session ID unknown and the client reconnects to a live node", async (t) => {
    const c = await cluster(t, 2, false);
    const s = client(t, c.url, { transports: ["polling"], reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    await connected(s);
    const before = await ack<Whoami>(s, "whoami");
    const owner = c.nodes[Number(before.node.slice(1))]!;
    const reconnected = once(s.io, "reconnect", 10_000);
    const gone = once<[string]>(s, "disconnect", 10_000);
    owner.child.kill("SIGKILL");
    c.balancer.down(owner.port); // the balancer's health check
    assert.equal((await gone)[0], "transport error");
    await reconnected;
    const after = await ack<Whoami>(s, "whoami");
    assert.notEqual(after.node, before.node);
    assert.notEqual(after.sid, before.sid);
  });

  test("Redis restarted mid-session: no node crashes; relayed requests fail over to a reconnect, then the relay works again", async (t) => {
    const redis = await privateRedis(t);
    const c = await cluster(t, 2, false, { pingInterval: 300, pingTimeout: 1_000 }, redis.url);
    const s = client(t, c.url, { transports: ["polling"], reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
    await connected(s);
    const before = await ack<Whoami>(s, "whoami");
    const lost = once<[string]>(s, "disconnect", 10_000);
    await redis.stop();
    // the next relayed request cannot reach the owner: the session ends as for an unknown one
    assert.equal((await lost)[0], "transport error");
    await redis.start();
    await withTimeout(
      (async () => {
        while (!s.connected) await once(s, "connect", 10_000).catch(() => {});
      })(),
      20_000,
      "the client back",
    );
    const after = await ack<Whoami>(s, "whoami");
    assert.notEqual(after.sid, before.sid);
    assert.deepEqual(await ack(s, "echo", "again"), "again");
    for (const node of c.nodes) assert.equal(node.child.exitCode, null);
  });

  for (const upgrades of ["handshake-node", "other-node"] as const) {
    test(`the default client (polling, then WebSocket), the upgrade on the ${upgrades}: upgraded${upgrades === "other-node" ? ", the session moves there" : ""}`, async (t) => {
      const c = await cluster(t, 3, false);
      c.balancer.upgrades = upgrades;
      const s = client(t, c.url);
      const upgraded = new Promise<string>((resolve) => {
        s.io.on("open", () => {
          s.io.engine.once("upgrade", () => resolve("websocket"));
          s.io.engine.once("upgradeError", () => resolve("polling"));
        });
      });
      await connected(s);
      const before = await ack<Whoami>(s, "whoami");
      assert.equal(await withTimeout(upgraded, 5_000, "the upgrade's outcome"), "websocket");
      assert.equal(s.io.engine.transport.name, "websocket");
      // the session works: acks both ways, binary
      const who = await ack<Whoami & { recovered: boolean }>(s, "whoami");
      assert.equal(who.transport, "websocket");
      assert.equal(who.sid, s.io.engine.id);
      assert.equal(who.id, before.id);
      const upgradeLog = c.balancer.log.filter((l) => l.kind === "upgrade");
      assert.equal(upgradeLog.length, 1);
      const upgradeNode = c.nodes.findIndex((n) => n.port === upgradeLog[0]!.port);
      assert.equal(who.node, `n${upgradeNode}`);
      assert.equal(who.recovered, upgrades === "other-node");
      // the handshake's node owned the session; after a move it forgets it
      const owner = c.nodes.findIndex((n) => n.port === c.balancer.log[0]!.port);
      if (upgrades === "other-node") {
        assert.notEqual(who.node, `n${owner}`);
        assert.deepEqual(await c.nodes[owner]!.call("count"), { clients: 0, sockets: 0 });
        assert.deepEqual(await c.nodes[owner]!.call("disconnects"), ["session moved"]);
      } else assert.equal(who.node, `n${owner}`);
      const answered = new Promise<void>((resolve) => s.once("question", (n: number, reply: (v: number) => void) => (reply(n + 1), resolve())));
      assert.equal(await ack(s, "ask"), 22);
      await answered;
      const bytes = Buffer.from([9, 8, 7]);
      assert.deepEqual(Buffer.from(await ack<ArrayBuffer>(s, "echo", bytes)), bytes);
    });
  }
});

describe("no sticky sessions: the option and the relay channel", { skip }, () => {
  test("stickySessions must be a boolean", async (t) => {
    const pub = await ioredis(t);
    const sub = await ioredis(t);
    assert.throws(() => createAdapter(pub, sub, { stickySessions: "no" as unknown as boolean }), { code: "SKT_ERR_OPTIONS_INVALID_TYPE" });
    assert.throws(() => createShardedAdapter(createClient(), createClient(), { stickySessions: 0 as unknown as boolean }), {
      code: "SKT_ERR_OPTIONS_INVALID_TYPE",
    });
  });

  test("garbage and forged messages on a node's relay channel are dropped; the node goes on relaying", async (t) => {
    const key = uniqueKey();
    const c = await cluster(t, 2, false, {}, REDIS_URL, key);
    const sid = await rawHandshake(c.url);
    const channel = `${key}#relay#${sid.slice(0, 8)}#`;
    const pub = await ioredis(t);
    const forged = msgpackEncode;
    const junk = [
      Buffer.from("not msgpack \xff"),
      Buffer.from("{ broken json"),
      Buffer.alloc(0),
      forged([1, 2, 3]),
      forged({ t: "q", id: "x" }),
      forged({ t: "q", id: 1, from: "nobody!!", method: "DELETE", url: "/", headers: {}, body: Buffer.alloc(0) }),
      forged({ t: "r", id: 99999, status: 200, headers: {}, body: Buffer.from("hi") }),
      forged({ t: "a", id: 12, from: 5 }),
      // well-formed, for a session that does not exist, answered to a node that does not exist
      forged({ t: "q", id: 1, from: "nobody!!", method: "GET", url: "/socket.io/?EIO=4&transport=polling&sid=nope", headers: {}, body: Buffer.alloc(0) }),
    ];
    for (const message of junk) assert.equal(await pub.publish(channel, message), 1);
    // the owner still serves its session through the other node
    const res = await fetch(`${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, { method: "POST", body: "40" });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok");
    for (const node of c.nodes) assert.equal(node.child.exitCode, null);
  });

  test("createShardedAdapter (SPUBLISH/SSUBSCRIBE): the official client over polling through the relay", async (t) => {
    const c = await cluster(t, 2, false, {}, REDIS_URL, uniqueKey(), true);
    const s = client(t, c.url, { transports: ["polling"] });
    await connected(s);
    const who = await ack<Whoami>(s, "whoami");
    assert.equal(who.sid, s.io.engine.id);
    assert.deepEqual(await ack(s, "echo", "sharded"), "sharded");
    const answered = new Promise<void>((resolve) => s.once("question", (n: number, reply: (v: number) => void) => (reply(n), resolve())));
    assert.equal(await ack(s, "ask"), 21);
    await answered;
    assert.equal(new Set(c.balancer.log.map((l) => l.port)).size, 2);
  });
});
