/**
 * No sticky sessions, the WebSocket upgrade on another node than the session's owner: the
 * session moves to that node (core/engine/remote-upgrade.ts, redis/relay/session-relay.ts).
 * Socketeer nodes in their own processes behind the round-robin balancer, real Redis, the
 * official client with its default transports (polling, then WebSocket). The balancer holds the
 * upgrade while the test sets things up over polling, then lets it through to another node.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import notepack from "notepack.io";
import type { Socket as ClientSocket } from "socket.io-client";
import { WebSocket } from "ws";
import { client, connected } from "../helpers/client.js";
import { roundRobin, type RoundRobin } from "../helpers/round-robin.js";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { cleanupAtEnd, deleteTrackedKeys, ioredis, privateRedis, spawnNode, uniqueKey, untilAsync, type ChildNode } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

interface Cluster {
  nodes: ChildNode[];
  balancer: RoundRobin;
  url: string;
  key: string;
}

interface Whoami {
  node: string;
  id: string;
  sid: string;
  transport: string;
  recovered: boolean;
}

interface RelayStats {
  dropped: number;
  movedIn: number;
  movedOut: number;
  tag: string;
}

async function cluster(
  t: { after(fn: () => unknown): void },
  n: number,
  engine: Record<string, unknown> = {},
  redisUrl = REDIS_URL,
  sharded = false,
): Promise<Cluster> {
  const key = uniqueKey();
  if (redisUrl === REDIS_URL) cleanupAtEnd(key);
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) => spawnNode(t, { key, redisUrl, name: `n${i}`, stickySessions: false, engine, sharded }, "relay-node.ts")),
  );
  const balancer = await roundRobin(
    t,
    nodes.map((node) => node.port),
  );
  balancer.upgrades = "other-node";
  return { nodes, balancer, url: balancer.url, key };
}

function ack<T>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return withTimeout(socket.timeout(5_000).emitWithAck(event, ...args) as Promise<T>, 6_000, `ack of ${event}`);
}

/** Resolves with the transport the client ends on: `websocket` after its upgrade, `polling` after an upgradeError. */
function upgradeOutcome(s: ClientSocket): Promise<string> {
  return new Promise<string>((resolve) => {
    s.io.on("open", () => {
      s.io.engine.once("upgrade", () => resolve("websocket"));
      s.io.engine.once("upgradeError", () => resolve("polling"));
    });
  });
}

/** The node that answered the session's handshake (the first request through the balancer). */
function ownerOf(c: Cluster): { index: number; node: ChildNode } {
  const index = c.nodes.findIndex((n) => n.port === c.balancer.log[0]!.port);
  return { index, node: c.nodes[index]! };
}

describe("no sticky sessions: the upgrade moves the session to the node that got it", { skip }, () => {
  test("rooms, data, socket id and handshake kept; acks both ways after the move; an ack pending at the move answered on the old node; the old node forgets", async (t) => {
    const c = await cluster(t, 3);
    const release = c.balancer.holdUpgrades();
    const s = client(t, c.url);
    const outcome = upgradeOutcome(s);
    await connected(s);
    const owner = ownerOf(c);
    const before = await ack<Whoami>(s, "whoami");
    assert.equal(before.transport, "polling");
    assert.equal(before.node, `n${owner.index}`);
    await ack(s, "join", "blue");
    await ack(s, "set-data", "color", "green");
    // a server → client ack sent on the owner, answered after the move
    const question = once<[number, (v: unknown) => void]>(s, "question", 5_000);
    await ack(s, "ask-later");
    const [n, reply] = await question;
    // a second client, polling only, to broadcast to the room from elsewhere
    const other = client(t, c.url, { transports: ["polling"] });
    await connected(other);

    release();
    assert.equal(await withTimeout(outcome, 10_000, "the upgrade"), "websocket");
    const who = await ack<Whoami>(s, "whoami");
    const upgradeNode = c.nodes.findIndex((node) => node.port === c.balancer.log.find((l) => l.kind === "upgrade")!.port);
    assert.equal(who.node, `n${upgradeNode}`);
    assert.notEqual(upgradeNode, owner.index);
    assert.equal(who.transport, "websocket");
    assert.equal(who.recovered, true);
    assert.equal(who.id, before.id);
    assert.equal(who.sid, before.sid);
    assert.deepEqual((await ack<string[]>(s, "rooms")).sort(), [before.id, "blue"].sort());
    assert.deepEqual(await ack(s, "get-data"), { node: `n${owner.index}`, color: "green" });

    // the answer to the owner's question reaches the owner's callback
    const answered = once<[string, unknown]>(s, "answered", 5_000);
    reply(n * 10);
    assert.deepEqual(await answered, [`n${owner.index}`, 50]);

    // a broadcast to a room joined before the move reaches it
    const news = once<[unknown]>(s, "room-news", 5_000);
    await ack(other, "to-room", "blue", "room-news", { after: "move" });
    assert.deepEqual((await news)[0], { after: "move" });

    // acks both ways, binary, on the new node
    assert.deepEqual(await ack(s, "echo", "again", 1), "again");
    const asked = new Promise<void>((resolve) => s.once("question", (q: number, r: (v: number) => void) => (r(q + 1), resolve())));
    assert.equal(await ack(s, "ask"), 22);
    await asked;
    const bytes = Buffer.from([1, 2, 3, 250]);
    assert.deepEqual(Buffer.from(await ack<ArrayBuffer>(s, "echo", bytes)), bytes);

    // the old node forgot the session; its app saw one documented disconnect
    assert.deepEqual(await owner.node.call("count"), { clients: 0, sockets: 0 });
    assert.deepEqual(await owner.node.call("disconnects"), ["session moved"]);
    assert.equal((await owner.node.call<RelayStats>("relay")).movedOut, 1);
    assert.equal((await c.nodes[upgradeNode]!.call<RelayStats>("relay")).movedIn, 1);
    // nothing else was seen as a disconnect anywhere
    for (const [i, node] of c.nodes.entries()) if (i !== owner.index) assert.deepEqual(await node.call("disconnects"), []);
    assert.equal(s.connected, true);
  });

  test("the protocol of a move, raw: 2probe answered 3probe and the relayed GET released with a noop, 5, then the session is the new node's", async (t) => {
    const c = await cluster(t, 2);
    const hs = await fetch(`${c.url}/socket.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse((await hs.text()).slice(1)) as { sid: string }).sid;
    const q = `${c.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;
    assert.equal(await (await fetch(q, { method: "POST", body: "40" })).text(), "ok"); // relayed
    assert.match(await (await fetch(q)).text(), /^40\{"sid":"[^"]+"\}$/); // on the owner
    const parked = fetch(q); // relayed to the owner, parked there
    await until(() => c.balancer.log.length >= 4, 5_000, "the GET forwarded");
    const owner = ownerOf(c);
    assert.notEqual(c.balancer.log[3]!.port, owner.node.port);
    const ws = new WebSocket(`ws://127.0.0.1:${c.balancer.port}/socket.io/?EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`);
    t.after(() => ws.terminate());
    const frames: string[] = [];
    ws.on("message", (data) => frames.push(String(data)));
    await once(ws, "open", 5_000);
    ws.send("2probe");
    await until(() => frames.includes("3probe"), 5_000, "3probe");
    const released = await withTimeout(parked, 5_000, "the parked GET");
    assert.equal(released.status, 200);
    assert.equal(await released.text(), "6");
    ws.send("5");
    ws.send('421["echo","x"]'); // right after the 5, before the session arrived
    await until(() => frames.includes('431["x"]'), 5_000, "the ack over the WebSocket");
    assert.deepEqual(frames, ["3probe", '431["x"]']);
    assert.deepEqual(await owner.node.call("count"), { clients: 0, sockets: 0 });
    // the old node answers a late poll of the session as unknown
    const late = await fetch(`${owner.node.url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`);
    assert.equal(late.status, 400);
  });

  test("createShardedAdapter (SPUBLISH/SSUBSCRIBE): the upgrade on the other node moves the session too", async (t) => {
    const c = await cluster(t, 2, {}, REDIS_URL, true);
    const release = c.balancer.holdUpgrades();
    const s = client(t, c.url);
    const outcome = upgradeOutcome(s);
    await connected(s);
    const owner = ownerOf(c);
    const before = await ack<Whoami>(s, "whoami");
    await ack(s, "join", "red");
    release();
    assert.equal(await withTimeout(outcome, 10_000, "the upgrade"), "websocket");
    const who = await ack<Whoami>(s, "whoami");
    assert.notEqual(who.node, `n${owner.index}`);
    assert.equal(who.recovered, true);
    assert.equal(who.id, before.id);
    assert.deepEqual((await ack<string[]>(s, "rooms")).sort(), [before.id, "red"].sort());
    assert.deepEqual(await owner.node.call("disconnects"), ["session moved"]);
  });

  test("no packet lost around the move: what the old node emits during the probe arrives once, in order, over the WebSocket", async (t) => {
    const c = await cluster(t, 2);
    const release = c.balancer.holdUpgrades();
    const s = client(t, c.url);
    const outcome = upgradeOutcome(s);
    const ticks: number[] = [];
    s.on("tick", (i: number) => ticks.push(i));
    await connected(s);
    const owner = ownerOf(c);
    const watcher = client(t, c.url, { transports: ["polling"] });
    await connected(watcher);
    await ack(watcher, "join", "watchers");
    // the owner emits on the socket every 2 ms until the socket leaves it
    await ack(s, "ticks", 2);
    await until(() => ticks.length >= 20, 5_000, "ticks over polling");
    const last = once<[string, number]>(watcher, "last-tick", 10_000);
    release();
    assert.equal(await withTimeout(outcome, 10_000, "the upgrade"), "websocket");
    const [from, lastTick] = await last;
    assert.equal(from, `n${owner.index}`);
    // every tick the owner sent, up to the moment it handed the session over, arrived once, in order
    await until(() => ticks.length >= lastTick + 1, 5_000, `ticks up to ${lastTick}`);
    assert.deepEqual(
      ticks,
      Array.from({ length: lastTick + 1 }, (_, i) => i),
    );
    assert.deepEqual(await owner.node.call("disconnects"), ["session moved"]);
    assert.equal((await ack<Whoami>(s, "whoami")).recovered, true);
  });

  test("the owner gone before the upgrade: the upgrade fails cleanly, the client reconnects, no node crashes", async (t) => {
    const c = await cluster(t, 2);
    const release = c.balancer.holdUpgrades();
    const s = client(t, c.url, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    const outcome = upgradeOutcome(s);
    await connected(s);
    const owner = ownerOf(c);
    const before = await ack<Whoami>(s, "whoami");
    const gone = once<[string]>(s, "disconnect", 10_000);
    owner.node.child.kill("SIGKILL");
    c.balancer.down(owner.node.port);
    release();
    assert.equal(await withTimeout(outcome, 10_000, "the upgrade's outcome"), "polling");
    await gone;
    await withTimeout(
      new Promise<void>((resolve) => (s.connected ? resolve() : s.once("connect", () => resolve()))),
      15_000,
      "the client back",
    );
    const after = await ack<Whoami>(s, "whoami");
    assert.notEqual(after.sid, before.sid);
    const live = c.nodes.find((n) => n !== owner.node)!;
    assert.equal(live.child.exitCode, null);
    assert.deepEqual(await ack(s, "echo", "ok"), "ok");
  });

  test("Redis down during the upgrade: it fails cleanly, no node crashes; with Redis back the client is served again", async (t) => {
    const redis = await privateRedis(t);
    const c = await cluster(t, 2, { pingInterval: 300, pingTimeout: 1_000 }, redis.url);
    const release = c.balancer.holdUpgrades();
    const s = client(t, c.url, { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
    const outcome = upgradeOutcome(s);
    await connected(s);
    await redis.stop();
    release();
    assert.equal(await withTimeout(outcome, 10_000, "the upgrade's outcome"), "polling");
    await redis.start();
    // the session may still look connected until its next relayed request fails: retry until served
    const served = await withTimeout(
      (async () => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          if (!s.connected) await once(s, "connect", 10_000).catch(() => {});
          const answer = await ack(s, "echo", "back").catch(() => undefined);
          if (answer !== undefined) return answer;
        }
        return undefined;
      })(),
      30_000,
      "the client served",
    );
    assert.deepEqual(served, "back");
    for (const node of c.nodes) assert.equal(node.child.exitCode, null);
  });

  test("forged move messages on the owner's channel are dropped and counted; the session stays where it is", async (t) => {
    const c = await cluster(t, 2);
    const s = client(t, c.url, { transports: ["polling"] });
    await connected(s);
    const who = await ack<Whoami>(s, "whoami");
    const owner = c.nodes[Number(who.node.slice(1))]!;
    const { tag } = await owner.call<RelayStats>("relay");
    const channel = `${c.key}#relay#${tag}#`;
    const pub = await ioredis(t);
    const forged = (v: unknown): Buffer => notepack.encode(v) as Buffer;
    const messages = [
      forged({ t: "m", id: 1, from: "forged01", sid: who.sid }), // a move nobody probed: refused
      forged({ t: "p", id: 2, from: 42, sid: who.sid }), // malformed
      forged({ t: "o", id: 3, ok: true, packets: [{ type: "evil" }] }), // malformed
      forged({ t: "k", id: 0, from: "forged01", sid: who.sid, nsp: "/", ack: "x", args: [] }), // malformed
      forged({ t: "p", id: 4, from: "forged01", sid: who.sid }), // held, answered to nobody: released at once
      forged({ t: "m", id: 5, from: "forged02", sid: who.sid }), // not the prober (if still held)
      forged({ t: "c", id: 6, from: "forged02", sid: who.sid }),
      Buffer.from([0xc1, 0xc1]),
    ];
    for (const m of messages) assert.equal(await pub.publish(channel, m), 1);
    await untilAsync(async () => (await owner.call<RelayStats>("relay")).dropped >= 4, "the malformed messages counted");
    // the session is still the owner's, over polling, and works
    const again = await ack<Whoami>(s, "whoami");
    assert.equal(again.node, who.node);
    assert.equal(again.transport, "polling");
    assert.deepEqual(await ack(s, "echo", "still"), "still");
    assert.equal((await owner.call<RelayStats>("relay")).movedOut, 0);
    for (const node of c.nodes) assert.equal(node.child.exitCode, null);
  });

  test("io.close() closes the relay: its channel has no subscriber left, no timer left", async (t) => {
    const c = await cluster(t, 2);
    const s = client(t, c.url, { transports: ["polling"], reconnection: false });
    await connected(s);
    const node = c.nodes[0]!;
    assert.equal(await node.call("subscribers"), 1);
    const closed = await node.call<{ subscribers: number; closed: boolean; timers: number }>("close");
    assert.deepEqual(closed, { subscribers: 0, closed: true, timers: 0 });
  });
});
