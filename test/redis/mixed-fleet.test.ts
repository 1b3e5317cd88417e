/**
 * A mixed fleet on one Redis: a real `socket.io` server on `@socket.io/redis-adapter` and a
 * Socketeer server on `socketeer/redis`, official clients on each, every cross-node operation
 * both ways; then `@socket.io/redis-emitter` into Socketeer nodes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Emitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { REDIS_URL, needRedis } from "../helpers/services.js";
import { once, until, withTimeout } from "../helpers/wait.js";
import { startNode, type RunningNode } from "./fixtures/app.js";
import { cleanupAtEnd, deleteTrackedKeys, record, spawnNode, uniqueKey, untilAsync } from "./helpers.js";

const skip = await needRedis();
after(deleteTrackedKeys);

type Cleanup = () => unknown;

/** A socket.io 4 node on @socket.io/redis-adapter, in its own process (fixtures/sio-node.ts). */
interface SioNode {
  url: string;
  /** Calls methods one after the other from the server: `chain(["to", "red"], ["emit", "ev"])`. */
  chain<R = unknown>(...calls: [string, ...unknown[]][]): Promise<R>;
  serverSide(): Promise<unknown[][]>;
  serverCount(): Promise<number>;
}

interface PlainSocket {
  id: string;
  rooms: string[];
  data: unknown;
  handshake: { auth: unknown };
}

async function startSioNode(t: { after(fn: () => unknown): void }, key: string, opts: { publishOnSpecificResponseChannel?: boolean } = {}): Promise<SioNode> {
  const child = await spawnNode(t, { key, redisUrl: REDIS_URL, ...opts }, "sio-node.ts");
  return {
    url: child.url,
    chain: (...calls) => child.call("chain", ...calls),
    serverSide: () => child.call("serverSide"),
    serverCount: () => child.call("serverCount"),
  };
}

function redis(): Redis {
  const c = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  c.on("error", () => {});
  return c;
}


describe("a mixed fleet: socket.io on @socket.io/redis-adapter and Socketeer on socketeer/redis", { skip }, () => {
  const cleanups: Cleanup[] = [];
  const scope = { after: (fn: Cleanup) => void cleanups.push(fn) };
  const clients: ClientSocket[] = [];
  let key: string;
  let sio: SioNode;
  let skt: RunningNode;
  let onSio: ClientSocket;
  let onSkt: ClientSocket;
  let seenSio: Map<string, unknown[][]>;
  let seenSkt: Map<string, unknown[][]>;
  let marker = 0;

  async function connect(url: string, name: string): Promise<ClientSocket> {
    const s = ioc(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { user: name } });
    clients.push(s);
    s.on("ask", (ack: (v: string) => void) => ack(`${name}:yes`));
    await once(s, "connect");
    return s;
  }

  /** Emits a marker from both sides and waits for both clients to get both: earlier sends have arrived. */
  async function flush(): Promise<void> {
    const n = ++marker;
    await sio.chain(["emit", "marker", `sio${n}`]);
    skt.io.emit("marker", `skt${n}`);
    const got = (seen: Map<string, unknown[][]>, v: string): boolean => (seen.get("marker") ?? []).some((a) => a[0] === v);
    await until(() => [seenSio, seenSkt].every((s) => got(s, `sio${n}`) && got(s, `skt${n}`)), 5_000, "markers");
  }

  const count = (seen: Map<string, unknown[][]>, ev: string): number => seen.get(ev)?.length ?? 0;

  before(async () => {
    if (skip) return;
    key = uniqueKey();
    cleanupAtEnd(key);
    sio = await startSioNode(scope, key);
    skt = await startNode({ name: "skt", redisUrl: REDIS_URL, key, requestsTimeout: 3_000 });
    cleanups.push(() => skt.close());
    await untilAsync(async () => (await skt.io.of("/").adapter.serverCount()) === 2, "two nodes seen by Socketeer");
    await untilAsync(async () => (await sio.serverCount()) === 2, "two nodes seen by socket.io");
    onSio = await connect(sio.url, "on-sio");
    onSkt = await connect(skt.url, "on-skt");
    seenSio = record(onSio);
    seenSkt = record(onSkt);
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    for (const fn of cleanups.reverse()) await fn();
  });

  test("broadcasts to all, with binary, reach clients of both servers, both ways", async () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    await sio.chain(["emit", "from-sio", "text", { file: bytes }]);
    skt.io.emit("from-skt", "text", { file: bytes });
    await until(() => [seenSio, seenSkt].every((s) => count(s, "from-sio") === 1 && count(s, "from-skt") === 1));
    for (const seen of [seenSio, seenSkt]) {
      for (const ev of ["from-sio", "from-skt"]) {
        const [args] = seen.get(ev)!;
        assert.equal(args!.length, 2, `${ev}: no extra argument`);
        assert.equal(args![0], "text");
        assert.deepEqual([...new Uint8Array((args![1] as { file: ArrayBuffer }).file)], [...bytes]);
      }
    }
    assert.deepEqual(skt.errors, []);
  });

  test("rooms and except travel both ways, on the room channel and the namespace channel", async () => {
    await withTimeout(onSio.emitWithAck("join", "red"));
    await withTimeout(onSkt.emitWithAck("join", "red"));
    await withTimeout(onSkt.emitWithAck("join", "muted"));
    await sio.chain(["to", "red"], ["emit", "red-from-sio"]);
    skt.io.to("red").emit("red-from-skt");
    await sio.chain(["to", "red"], ["except", "muted"], ["emit", "red-unmuted-from-sio"]);
    skt.io.to("red").except("muted").emit("red-unmuted-from-skt");
    await sio.chain(["to", ["nobody", "red"]], ["emit", "two-rooms-from-sio"]);
    skt.io.to(["nobody", "red"]).emit("two-rooms-from-skt");
    skt.io.to("nobody").emit("nobody-from-skt");
    await flush();
    for (const ev of ["red-from-sio", "red-from-skt", "two-rooms-from-sio", "two-rooms-from-skt"]) {
      assert.deepEqual([count(seenSio, ev), count(seenSkt, ev)], [1, 1], ev);
    }
    for (const ev of ["red-unmuted-from-sio", "red-unmuted-from-skt"]) assert.deepEqual([count(seenSio, ev), count(seenSkt, ev)], [1, 0], ev);
    assert.equal(count(seenSio, "nobody-from-skt") + count(seenSkt, "nobody-from-skt"), 0);
  });

  test("fetchSockets sees the other server's sockets, both ways", async () => {
    const fromSio = await sio.chain<PlainSocket[]>(["fetchSockets"]);
    const fromSkt = (await skt.io.fetchSockets()).map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, handshake: s.handshake as { auth: unknown } }));
    for (const list of [fromSio, fromSkt]) {
      assert.deepEqual(list.map((s) => s.id).sort(), [onSio.id, onSkt.id].sort());
      const remote = list.find((s) => s.id === (list === fromSio ? onSkt.id : onSio.id))!;
      assert.deepEqual(remote.data, { node: list === fromSio ? "skt" : "sio", user: list === fromSio ? "on-skt" : "on-sio" });
      assert.ok(remote.rooms.includes(remote.id));
      assert.deepEqual(remote.handshake.auth, { user: list === fromSio ? "on-skt" : "on-sio" });
    }
    const inRed = await sio.chain<PlainSocket[]>(["in", "muted"], ["fetchSockets"]);
    assert.deepEqual(inRed.map((s) => s.id), [onSkt.id]);
  });

  test("socketsJoin and socketsLeave reach the other server's sockets, both ways", async () => {
    await sio.chain(["in", onSkt.id!], ["socketsJoin", "joined-by-sio"]);
    skt.io.in(onSio.id!).socketsJoin("joined-by-skt");
    await untilAsync(async () => {
      const all = await skt.io.fetchSockets();
      const rooms = (id: string): Set<string> => all.find((s) => s.id === id)!.rooms as Set<string>;
      return rooms(onSkt.id!).has("joined-by-sio") && rooms(onSio.id!).has("joined-by-skt");
    }, "cross-node joins");
    await sio.chain(["to", "joined-by-skt"], ["emit", "via-joined-room"]);
    skt.io.to("joined-by-sio").emit("via-joined-room");
    await flush();
    assert.deepEqual([count(seenSio, "via-joined-room"), count(seenSkt, "via-joined-room")], [1, 1]);
    await sio.chain(["in", onSkt.id!], ["socketsLeave", "joined-by-sio"]);
    skt.io.in(onSio.id!).socketsLeave("joined-by-skt");
    await untilAsync(async () => {
      const all = await sio.chain<PlainSocket[]>(["fetchSockets"]);
      return all.every((s) => !s.rooms.includes("joined-by-sio") && !s.rooms.includes("joined-by-skt"));
    }, "cross-node leaves");
  });

  test("serverSideEmit, with and without acks, both ways", async () => {
    skt.io.serverSideEmit("ping-node", "from-skt");
    await sio.chain(["serverSideEmit", "ping-node", "from-sio"]);
    await untilAsync(async () => (await sio.serverSide()).length === 1 && skt.serverSide.length === 1, "server-side events");
    assert.deepEqual((await sio.serverSide())[0], ["ping-node", "from-skt"]);
    assert.deepEqual(skt.serverSide[0], ["ping-node", "from-sio"]);
    assert.deepEqual(await withTimeout(skt.io.serverSideEmitWithAck("ping-node", "q1")), ["sio:q1"]);
    assert.deepEqual(await sio.chain(["serverSideEmitWithAck", "ping-node", "q2"]), ["skt:q2"]);
  });

  test("broadcasts with acks collect the answers of clients on both servers, both ways", async () => {
    const fromSkt = await withTimeout(skt.io.timeout(3_000).emitWithAck("ask"));
    const fromSio = await sio.chain<string[]>(["timeout", 3_000], ["emitWithAck", "ask"]);
    assert.deepEqual([...fromSkt].sort(), ["on-sio:yes", "on-skt:yes"]);
    assert.deepEqual([...fromSio].sort(), ["on-sio:yes", "on-skt:yes"]);
  });

  test("disconnectSockets reaches the other server's sockets, both ways", async () => {
    const a = await connect(sio.url, "victim-on-sio");
    const b = await connect(skt.url, "victim-on-skt");
    await withTimeout(a.emitWithAck("join", "victims"));
    await withTimeout(b.emitWithAck("join", "victims"));
    const gone = [once(a, "disconnect"), once(b, "disconnect")];
    skt.io.in(a.id!).disconnectSockets();
    await sio.chain(["in", b.id!], ["disconnectSockets", true]);
    await Promise.all(gone);
    assert.ok(onSio.connected && onSkt.connected);
    assert.deepEqual(skt.errors, []);
  });
});

describe("@socket.io/redis-emitter into Socketeer nodes", { skip }, () => {
  const cleanups: Cleanup[] = [];
  const clients: ClientSocket[] = [];
  let skt: RunningNode;
  let emitter: Emitter;
  let s1: ClientSocket;
  let s2: ClientSocket;
  let onChat: ClientSocket;
  let seen1: Map<string, unknown[][]>;
  let seen2: Map<string, unknown[][]>;
  let seenChat: Map<string, unknown[][]>;

  async function connect(url: string): Promise<ClientSocket> {
    const s = ioc(url, { transports: ["websocket"], forceNew: true, reconnection: false });
    clients.push(s);
    await once(s, "connect");
    return s;
  }

  before(async () => {
    if (skip) return;
    const key = uniqueKey();
    cleanupAtEnd(key);
    skt = await startNode({ name: "skt", redisUrl: REDIS_URL, key });
    cleanups.push(() => skt.close());
    skt.io.of("/chat").on("connection", () => {});
    await (skt.io.of("/chat").adapter as { init(): Promise<void> }).init();
    const client = redis();
    await client.connect();
    cleanups.push(() => client.disconnect());
    emitter = new Emitter(client, { key });
    s1 = await connect(skt.url);
    s2 = await connect(skt.url);
    onChat = await connect(`${skt.url}/chat`);
    seen1 = record(s1);
    seen2 = record(s2);
    seenChat = record(onChat);
    await withTimeout(s1.emitWithAck("join", "vip"));
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    for (const fn of cleanups.reverse()) await fn();
  });

  test("emits to all, to rooms, except, to namespaces, with binary", async () => {
    emitter.emit("all", 1, Buffer.from([9, 8]));
    emitter.to("vip").emit("vip-only");
    emitter.except("vip").emit("not-vip");
    emitter.of("/chat").emit("chat-only", "hi");
    emitter.emit("last");
    await until(() => count(seen1, "last") === 1 && count(seen2, "last") === 1 && count(seenChat, "chat-only") === 1);
    assert.deepEqual([count(seen1, "all"), count(seen2, "all"), count(seenChat, "all")], [1, 1, 0]);
    assert.deepEqual([...new Uint8Array(seen1.get("all")![0]![1] as ArrayBuffer)], [9, 8]);
    assert.deepEqual([count(seen1, "vip-only"), count(seen2, "vip-only")], [1, 0]);
    assert.deepEqual([count(seen1, "not-vip"), count(seen2, "not-vip")], [0, 1]);
    assert.deepEqual(seenChat.get("chat-only"), [["hi"]]);
  });

  test("serverSideEmit, socketsJoin, socketsLeave and disconnectSockets", async () => {
    emitter.serverSideEmit("ping-node", "from-emitter");
    await until(() => skt.serverSide.some((e) => e[1] === "from-emitter"));
    emitter.in(s2.id!).socketsJoin("late");
    await untilAsync(async () => (await skt.io.in("late").fetchSockets()).length === 1, "emitter socketsJoin");
    emitter.in(s2.id!).socketsLeave("late");
    await untilAsync(async () => (await skt.io.in("late").fetchSockets()).length === 0, "emitter socketsLeave");
    const gone = once(s2, "disconnect");
    emitter.in(s2.id!).disconnectSockets();
    await gone;
    assert.ok(s1.connected);
    assert.deepEqual(skt.errors, []);
  });
});

describe("a mixed fleet with recovery on the Socketeer side, publishOnSpecificResponseChannel, and garbage", { skip }, () => {
  test("socket.io's clients never see recovery offsets; answers come back on specific response channels", async (t) => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    const sio = await startSioNode(t, key, { publishOnSpecificResponseChannel: true });
    const skt = await startNode({ name: "skt", redisUrl: REDIS_URL, key, recoveryWindow: 30_000 });
    t.after(() => skt.close());
    await untilAsync(async () => (await skt.io.of("/").adapter.serverCount()) === 2, "two nodes");
    const c1 = ioc(sio.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    const c2 = ioc(skt.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    t.after(() => {
      c1.disconnect();
      c2.disconnect();
    });
    await Promise.all([once(c1, "connect"), once(c2, "connect")]);
    const got1 = once<unknown[]>(c1, "news");
    const got2 = once<unknown[]>(c2, "news");
    skt.io.emit("news", "a", 1);
    // The socket.io client gets the arguments alone; the Socketeer client gets its offset last.
    assert.deepEqual(await got1, ["a", 1]);
    const [a, one, offset] = await got2;
    assert.deepEqual([a, one], ["a", 1]);
    assert.equal(typeof offset, "string");
    // socket.io answers on our own response channel: requests still complete.
    assert.deepEqual((await withTimeout(skt.io.fetchSockets())).map((s) => s.id).sort(), [c1.id, c2.id].sort());
    assert.deepEqual(await withTimeout(skt.io.serverSideEmitWithAck("ping-node", "q")), ["sio:q"]);
    assert.deepEqual(skt.errors, []);
  });

  // Not with a socket.io node present: its adapter throws out of the Redis client on such bytes.
  test("garbage on every channel is dropped, counted and reported once; nothing throws; delivery goes on", async (t) => {
    const key = uniqueKey();
    cleanupAtEnd(key);
    const skt = await startNode({ name: "skt", redisUrl: REDIS_URL, key, recoveryWindow: 30_000 });
    t.after(() => skt.close());
    const other = await startNode({ name: "other", redisUrl: REDIS_URL, key, recoveryWindow: 30_000 });
    t.after(() => other.close());
    const c1 = ioc(other.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    const c2 = ioc(skt.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    t.after(() => {
      c1.disconnect();
      c2.disconnect();
    });
    await Promise.all([once(c1, "connect"), once(c2, "connect")]);
    const raw = redis();
    await raw.connect();
    t.after(() => raw.disconnect());
    const adapter = skt.io.of("/").adapter as unknown as { invalidMessages: number };
    const garbage = [
      [`${key}#/#`, Buffer.from("garbage")],
      [`${key}#/#`, Buffer.from([0x93, 0xa1])],
      [`${key}-request#/#`, Buffer.from("{not json")],
      [`${key}-request#/#`, Buffer.from(JSON.stringify({ type: 42 }))],
      [`${key}-response#/#`, Buffer.from([0xc1])],
      [`${key}#/#${c2.id}#`, Buffer.from("another app's payload")],
    ] as const;
    for (const [channel, bytes] of garbage) await raw.publish(channel, bytes);
    await until(() => adapter.invalidMessages === garbage.length, 5_000, "every invalid message counted");
    assert.equal(skt.errors.length, 1);
    assert.equal(skt.errors[0]!.code, "SKT_ERR_REDIS_INVALID_MESSAGE");
    // The room channel of a room only `skt` has: `other` skips it undecoded.
    await until(() => (other.io.of("/").adapter as unknown as { invalidMessages: number }).invalidMessages === garbage.length - 1);
    // The fleet keeps working.
    const again = once<unknown[]>(c1, "after");
    skt.io.emit("after");
    await again;
  });
});

function count(seen: Map<string, unknown[][]>, ev: string): number {
  return seen.get(ev)?.length ?? 0;
}
