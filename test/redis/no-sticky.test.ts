/**
 * No sticky sessions (`createAdapter(pub, sub, { stickySessions: false })`): Socketeer nodes in
 * their own processes behind a round-robin balancer (test/helpers/round-robin.ts) that sends each
 * HTTP request and each upgrade to the next node. With the option, a polling request for a
 * session of another node is relayed to its owner through Redis; without it, today's
 * `400 Session ID unknown`.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { client, connected, refused } from "../helpers/client.js";
import { roundRobin, type RoundRobin } from "../helpers/round-robin.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, spawnNode, uniqueKey, untilAsync, type ChildNode } from "./helpers.js";

const skip = await needRedis();
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

async function cluster(t: { after(fn: () => unknown): void }, n: number, stickySessions: boolean, engine: Record<string, unknown> = {}): Promise<Cluster> {
  const key = uniqueKey();
  cleanupAtEnd(key);
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) => spawnNode(t, { key, redisUrl: REDIS_URL, name: `n${i}`, stickySessions, engine }, "relay-node.ts")),
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
