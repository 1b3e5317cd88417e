/**
 * @module test/compat/layer/custom-adapter — an adapter written for socket.io, `class X extends
 * Adapter` from the real `socket.io-adapter` 2.5.x, runs on Socketeer unchanged: broadcasts
 * (rooms, except, binary, both transports), its pre-built WebSocket frame, broadcast acks,
 * fetchSockets/socketsJoin/disconnectSockets, and an adapter that throws inside broadcast.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Adapter, SessionAwareAdapter, type BroadcastOptions } from "socket.io-adapter";
import type { Socket } from "../../../core/index.js";
import { setup, waitFor, type Setup } from "../support.js";
import { until } from "../../helpers/wait.js";

class CountingAdapter extends Adapter {
  broadcasts = 0;
  override broadcast(packet: any, opts: BroadcastOptions): void {
    this.broadcasts++;
    super.broadcast(packet, opts);
  }
}

async function connectAll(s: Setup, transports: ("polling" | "websocket")[][]) {
  const out = [];
  for (const tr of transports) {
    const connected = waitFor<[Socket]>(s.io, "connection");
    const client = await s.connect("/", { transports: tr });
    const [socket] = await connected;
    out.push({ client, socket });
  }
  return out;
}

test("broadcasts through a socket.io-adapter subclass reach rooms, skip except, carry binary", async (t) => {
  const s = await setup(t, { adapter: CountingAdapter as never });
  const adapter = s.io.of("/").adapter as unknown as CountingAdapter;
  assert.ok(adapter instanceof CountingAdapter);
  const [a, b, c] = await connectAll(s, [["websocket"], ["polling"], ["websocket"]]);
  await a!.socket.join("r");
  await b!.socket.join("r");
  await c!.socket.join("x");
  const got = Promise.all([waitFor(a!.client, "to-r"), waitFor(b!.client, "to-r")]);
  let cGot = false;
  c!.client.on("to-r", () => (cGot = true));
  s.io.to("r").emit("to-r", 1);
  assert.deepEqual(await got, [[1], [1]]);
  const bin = Promise.all([a, b, c].map((x) => waitFor<[Buffer]>(x!.client, "bin")));
  s.io.except("nobody").emit("bin", Buffer.from([1, 2, 3]));
  for (const [buf] of await bin) assert.deepEqual([...Buffer.from(buf)], [1, 2, 3]);
  const notX = Promise.all([waitFor(a!.client, "not-x"), waitFor(b!.client, "not-x")]);
  s.io.except("x").emit("not-x");
  await notX;
  const last = waitFor(c!.client, "last");
  s.io.to("x").emit("last");
  await last;
  assert.equal(cGot, false);
  assert.equal(adapter.broadcasts, 4);
});

test("its pre-built WebSocket frame is handed to the engine once for every recipient", async (t) => {
  const s = await setup(t, { adapter: CountingAdapter as never });
  const pairs = await connectAll(s, [["websocket"], ["websocket"], ["polling"]]);
  const frames: unknown[] = [];
  for (const { socket } of pairs) {
    const conn = socket.conn as unknown as { write: (d: unknown, o?: { wsPreEncodedFrame?: unknown }) => unknown };
    const write = conn.write.bind(conn);
    conn.write = (d, o) => {
      frames.push(o?.wsPreEncodedFrame);
      return write(d, o);
    };
  }
  const got = Promise.all(pairs.map(({ client }) => waitFor(client, "tick")));
  s.io.emit("tick", "é", 2);
  assert.deepEqual(await got, [["é", 2], ["é", 2], ["é", 2]]);
  assert.equal(frames.length, 3);
  assert.ok(Array.isArray(frames[0]));
  assert.ok(frames.every((f) => f === frames[0]));
});

test("broadcast acks, fetchSockets, socketsJoin, socketsLeave and disconnectSockets", async (t) => {
  const s = await setup(t, { adapter: CountingAdapter as never });
  const pairs = await connectAll(s, [["websocket"], ["polling"]]);
  for (const { client } of pairs) client.on("q", (cb: (v: string) => void) => cb(client.id!));
  const answers = await s.io.timeout(2_000).emitWithAck("q");
  assert.deepEqual([...answers].sort(), pairs.map((p) => p.client.id).sort());
  for (const { socket } of pairs) assert.equal(socket.acks.size, 0);
  s.io.socketsJoin("j");
  const found = await s.io.in("j").fetchSockets();
  assert.deepEqual(found.map((f) => f.id).sort(), pairs.map((p) => p.socket.id).sort());
  s.io.in("j").socketsLeave("j");
  assert.equal((await s.io.in("j").fetchSockets()).length, 0);
  const gone = Promise.all(pairs.map(({ client }) => waitFor(client, "disconnect")));
  s.io.disconnectSockets();
  await gone;
});

test("an adapter that throws inside broadcast is reported on its error event; the server goes on", async (t) => {
  class Broken extends Adapter {
    override broadcast(packet: any, opts: BroadcastOptions): void {
      if (packet.data?.[0] === "boom") throw new Error("adapter failure");
      super.broadcast(packet, opts);
    }
  }
  const s = await setup(t, { adapter: Broken as never });
  const [{ client, socket }] = (await connectAll(s, [["websocket"]])) as [{ client: any; socket: Socket }];
  const errors: Error[] = [];
  (s.io.of("/").adapter as unknown as Adapter).on("error", (err: Error) => errors.push(err));
  // from inside an event listener too: it would otherwise surface as an uncaught exception
  client.emit("trigger");
  await waitFor(socket, "trigger");
  assert.doesNotThrow(() => s.io.emit("boom"));
  socket.on("trigger", () => s.io.emit("boom"));
  client.emit("trigger");
  await until(() => errors.length === 2);
  assert.equal(errors[0]!.message, "adapter failure");
  const after = waitFor(client, "fine");
  s.io.emit("fine");
  await after;
});

test("an adapter that throws inside broadcastWithAck fails that emit's callback", async (t) => {
  class Broken extends Adapter {
    override broadcastWithAck(): void {
      throw new Error("no acks here");
    }
  }
  const s = await setup(t, { adapter: Broken as never });
  await connectAll(s, [["websocket"]]);
  await assert.rejects(s.io.timeout(500).emitWithAck("q"), /no acks here/);
});

test("socket.io-adapter's SessionAwareAdapter recovers a session on Socketeer", async (t) => {
  const s = await setup(t, {
    adapter: SessionAwareAdapter as never,
    connectionStateRecovery: { maxDisconnectionDuration: 10_000 },
  });
  const connected = waitFor<[Socket]>(s.io, "connection");
  const client = await s.connect();
  const [first] = await connected;
  await first.join("room");
  const got = waitFor(client, "before");
  s.io.to("room").emit("before", 1);
  await got;
  const down = waitFor(first, "disconnect");
  client.io.engine.close();
  await down;
  s.io.to("room").emit("missed", 2);
  const reconnected = waitFor<[Socket]>(s.io, "connection");
  const missed = waitFor(client, "missed");
  client.connect();
  const [second] = await reconnected;
  assert.equal(second.recovered, true);
  assert.equal(second.id, first.id);
  // the offset travels as the last argument (socket.io-client keeps it there too)
  assert.equal((await missed)[0], 2);
  assert.ok(second.rooms.has("room"));
});

test("an adapter whose init rejects or close throws does not crash the process", async (t) => {
  class Unreachable extends Adapter {
    override init(): Promise<void> {
      return Promise.reject(new Error("cannot subscribe"));
    }
    override close(): void {
      throw new Error("cannot unsubscribe");
    }
  }
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => void unhandled.push(err);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const s = await setup(t, { adapter: Unreachable as never });
  const child = s.io.of("/child");
  const reported = waitFor<[Error]>(child.adapter as unknown as Adapter, "error");
  assert.equal((await reported)[0].message, "cannot subscribe");
  // replacing the adapters closes the old ones (close throws) and inits new ones
  s.io.adapter(Adapter as never);
  const c = await s.connect();
  assert.ok(c.connected);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, []);
});

test("an adapter whose persistSession rejects is reported; the disconnection completes", async (t) => {
  class NoStore extends SessionAwareAdapter {
    override persistSession(): void {
      throw new Error("store down");
    }
  }
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown): void => void unhandled.push(err);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const s = await setup(t, { adapter: NoStore as never, connectionStateRecovery: {} });
  const reported = waitFor<[Error]>(s.io.of("/").adapter as unknown as Adapter, "error");
  const connected = waitFor<[Socket]>(s.io, "connection");
  const client = await s.connect();
  const [socket] = await connected;
  const gone = waitFor(socket, "disconnect");
  client.io.engine.close();
  await gone;
  assert.equal((await reported)[0].message, "store down");
  assert.deepEqual(unhandled, []);
});
