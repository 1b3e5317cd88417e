/**
 * @module test/compat/acks — acks in both directions, with and without timeout, and broadcast acks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "../../core/index.js";
import { setup, waitFor, type Setup } from "./support.js";

async function pair(s: Setup): Promise<{ c: ClientSocket; socket: Socket }> {
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect();
  const [socket] = await connected;
  return { c, socket };
}

test("client→server: the server's handler answers through the ack callback", async (t) => {
  const s = await setup(t);
  const { c, socket } = await pair(s);
  socket.on("sum", (a: number, b: number, ack: (n: number) => void) => ack(a + b));
  assert.equal(await c.emitWithAck("sum", 2, 3), 5);
  const answer = await new Promise((resolve) => c.emit("sum", 1, 1, resolve));
  assert.equal(answer, 2);
});

test("an ack is sent once even if the handler calls it twice", async (t) => {
  const s = await setup(t);
  const { c, socket } = await pair(s);
  socket.on("twice", (ack: (n: number) => void) => {
    ack(1);
    ack(2);
  });
  assert.equal(await c.emitWithAck("twice"), 1);
});

test("server→client: emit with a callback, emitWithAck, and timeout() success", async (t) => {
  const s = await setup(t);
  const { c, socket } = await pair(s);
  c.on("question", (q: string, ack: (a: string) => void) => ack(`answer to ${q}`));
  const viaCallback = await new Promise((resolve) => socket.emit("question", "a", resolve));
  assert.equal(viaCallback, "answer to a");
  assert.equal(await socket.emitWithAck("question", "b"), "answer to b");
  const [err, value] = await new Promise<unknown[]>((resolve) =>
    socket.timeout(2_000).emit("question", "c", (...args: unknown[]) => resolve(args)),
  );
  assert.equal(err, null);
  assert.equal(value, "answer to c");
  assert.equal(await socket.timeout(2_000).emitWithAck("question", "d"), "answer to d");
});

test("server→client with timeout: the callback gets an error when the client does not answer", async (t) => {
  const s = await setup(t);
  const { c, socket } = await pair(s);
  c.on("silent", () => {});
  const [err] = await new Promise<unknown[]>((resolve) => socket.timeout(50).emit("silent", (...a: unknown[]) => resolve(a)));
  assert.equal((err as { code?: string }).code, "SKT_ERR_SOCKET_ACK_TIMEOUT");
  await assert.rejects(socket.timeout(50).emitWithAck("silent"), { code: "SKT_ERR_SOCKET_ACK_TIMEOUT" });
});

test("a pending ack with timeout fails at once when the socket disconnects", async (t) => {
  const s = await setup(t);
  const { c, socket } = await pair(s);
  c.on("never", () => {});
  const pending = socket.timeout(5_000).emitWithAck("never");
  socket.disconnect();
  await assert.rejects(pending, { code: "SKT_ERR_SOCKET_DISCONNECTED" });
});

test("broadcast acks collect one answer per socket", async (t) => {
  const s = await setup(t);
  const a = await pair(s);
  const b = await pair(s);
  a.c.on("who", (ack: (id: string) => void) => ack("a"));
  b.c.on("who", (ack: (id: string) => void) => ack("b"));
  const answers = await s.io.timeout(2_000).emitWithAck("who");
  assert.deepEqual((answers as string[]).sort(), ["a", "b"]);
  const [err, list] = await new Promise<unknown[]>((resolve) =>
    s.io.timeout(2_000).emit("who", (...args: unknown[]) => resolve(args)),
  );
  assert.equal(err, null);
  assert.deepEqual((list as string[]).sort(), ["a", "b"]);
  const withoutTimeout = await new Promise<unknown[]>((resolve) => s.io.to(a.socket.id).emit("who", (...args: unknown[]) => resolve(args)));
  assert.deepEqual(withoutTimeout, [null, ["a"]]);
  const none = await s.io.to("empty-room").timeout(1_000).emitWithAck("who");
  assert.deepEqual(none, []);
});

test("a broadcast ack times out naming how many answered", async (t) => {
  const s = await setup(t);
  const a = await pair(s);
  const b = await pair(s);
  a.c.on("poll", (ack: (v: number) => void) => ack(1));
  b.c.on("poll", () => {});
  const [err, partial] = await new Promise<unknown[]>((resolve) =>
    s.io.timeout(100).emit("poll", (...args: unknown[]) => resolve(args)),
  );
  assert.equal((err as { code?: string }).code, "SKT_ERR_BROADCAST_ACK_TIMEOUT");
  assert.match((err as Error).message, /1 of 2/);
  assert.deepEqual(partial, [1]);
});

test("socket.broadcast and namespaces support acks too; RemoteSocket.timeout gets one answer", async (t) => {
  const s = await setup(t);
  const a = await pair(s);
  const b = await pair(s);
  b.c.on("hey", (ack: (v: string) => void) => ack("from b"));
  const answers = await a.socket.broadcast.timeout(2_000).emitWithAck("hey");
  assert.deepEqual(answers, ["from b"]);
  const [remote] = await s.io.in(b.socket.id).fetchSockets();
  const single = await new Promise<unknown[]>((resolve) =>
    remote!.timeout(2_000).emit("hey", (...args: unknown[]) => resolve(args)),
  );
  assert.deepEqual(single, [null, "from b"]);
});

test("serverSideEmit with an ack resolves with no responses on a single server", async (t) => {
  const s = await setup(t);
  assert.equal(s.io.serverSideEmit("sync", 1), true);
  assert.deepEqual(await s.io.serverSideEmitWithAck("sync"), []);
  assert.throws(() => s.io.serverSideEmit("connect"), { code: "SKT_ERR_SOCKET_RESERVED_EVENT" });
});
