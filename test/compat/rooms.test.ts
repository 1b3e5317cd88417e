/**
 * @module test/compat/rooms — rooms and broadcast targeting, fetchSockets, socketsJoin/Leave,
 * disconnectSockets, volatile.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "../../core/index.js";
import { setup, waitFor, type Setup } from "./support.js";

/** Connects `n` clients and returns them with their server sockets, in the same order. */
async function many(s: Setup, n: number): Promise<{ clients: ClientSocket[]; sockets: Socket[] }> {
  const clients: ClientSocket[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const connected = waitFor<[Socket]>(s.io, "connection");
    clients.push(await s.connect());
    sockets.push((await connected)[0]);
  }
  return { clients, sockets };
}

/** Records the `ev` events each client receives. */
function record(clients: ClientSocket[], ev: string): unknown[][] {
  const got: unknown[][] = clients.map(() => []);
  clients.forEach((c, i) => c.on(ev, (...args: unknown[]) => got[i]!.push(args)));
  return got;
}

/** A round trip through every client, so that earlier packets have arrived. */
async function flush(clients: ClientSocket[], sockets: Socket[]): Promise<void> {
  await Promise.all(
    clients.map((c, i) => {
      const p = waitFor(c, "flush");
      sockets[i]!.emit("flush");
      return p;
    }),
  );
}

test("to/in/except chains target the right sockets, and two rooms deliver once", async (t) => {
  const s = await setup(t);
  const { clients, sockets } = await many(s, 4);
  const [a, b, c, d] = sockets as [Socket, Socket, Socket, Socket];
  await a.join(["r1", "r2"]);
  await b.join("r2");
  await c.join(["r3", "r1"]);
  const got = record(clients, "m");
  s.io.to("r1").to("r2").emit("m", "r1+r2");
  s.io.in(["r1"]).except("r3").emit("m", "r1-r3");
  s.io.except("r2").emit("m", "all-r2");
  s.io.of("/").to("nobody").emit("m", "none");
  await flush(clients, sockets);
  assert.deepEqual(got[0], [["r1+r2"], ["r1-r3"]]);
  assert.deepEqual(got[1], [["r1+r2"]]);
  assert.deepEqual(got[2], [["r1+r2"], ["all-r2"]]);
  assert.deepEqual(got[3], [["all-r2"]]);
  assert.deepEqual([...a.rooms].sort(), [a.id, "r1", "r2"].sort());
  a.leave("r1");
  assert.deepEqual([...a.rooms].sort(), [a.id, "r2"].sort());
  assert.ok(d.rooms.has(d.id));
});

test("socket.to and socket.broadcast exclude the sender; a socket id is a room", async (t) => {
  const s = await setup(t);
  const { clients, sockets } = await many(s, 3);
  const [a, b] = sockets as [Socket, Socket, Socket];
  await a.join("room");
  await b.join("room");
  const got = record(clients, "m");
  a.to("room").emit("m", "to-room");
  a.broadcast.emit("m", "broadcast");
  a.except(b.id).emit("m", "except-b");
  s.io.to(b.id).emit("m", "private");
  await flush(clients, sockets);
  assert.deepEqual(got[0], []);
  assert.deepEqual(got[1], [["to-room"], ["broadcast"], ["private"]]);
  assert.deepEqual(got[2], [["broadcast"], ["except-b"]]);
});

test("fetchSockets, socketsJoin, socketsLeave and disconnectSockets act on the targeted sockets", async (t) => {
  const s = await setup(t);
  const { clients, sockets } = await many(s, 3);
  const [a, b, c] = sockets as [Socket, Socket, Socket];
  a.data.name = "alice";
  await a.join("x");
  await b.join("x");
  const inX = await s.io.in("x").fetchSockets();
  assert.deepEqual(inX.map((r) => r.id).sort(), [a.id, b.id].sort());
  const remoteA = inX.find((r) => r.id === a.id)!;
  assert.equal(remoteA.data.name, "alice");
  assert.ok(remoteA.rooms.has("x"));
  assert.equal(remoteA.handshake.auth !== undefined, true);
  assert.equal((await s.io.fetchSockets()).length, 3);
  assert.deepEqual([...(await s.io.in("x").allSockets())].sort(), [a.id, b.id].sort());

  s.io.in("x").socketsJoin(["y", "z"]);
  assert.ok(a.rooms.has("y") && b.rooms.has("z") && !c.rooms.has("y"));
  s.io.socketsLeave("y");
  assert.ok(!a.rooms.has("y") && a.rooms.has("z"));

  const got = waitFor(clients[0]!, "hello");
  remoteA.emit("hello", "remote");
  assert.deepEqual(await got, ["remote"]);
  remoteA.join("solo");
  assert.ok(a.rooms.has("solo"));
  remoteA.leave("solo");
  assert.ok(!a.rooms.has("solo"));

  const reasons = Promise.all([waitFor(a, "disconnect"), waitFor(b, "disconnect")]);
  s.io.in("x").disconnectSockets();
  const [[ra], [rb]] = await reasons;
  assert.equal(ra, "server namespace disconnect");
  assert.equal(rb, "server namespace disconnect");
  assert.equal(c.connected, true);
  assert.equal(clients[2]!.connected, true);
});

test("the adapter emits room lifecycle events", async (t) => {
  const s = await setup(t);
  const { sockets } = await many(s, 1);
  const events: string[] = [];
  const adapter = s.io.of("/").adapter as unknown as import("node:events").EventEmitter;
  for (const ev of ["create-room", "join-room", "leave-room", "delete-room"]) {
    adapter.on(ev, (room: string) => events.push(`${ev}:${room}`));
  }
  await sockets[0]!.join("lobby");
  await sockets[0]!.leave("lobby");
  assert.deepEqual(events, ["create-room:lobby", "join-room:lobby", "leave-room:lobby", "delete-room:lobby"]);
});

test("volatile emits are dropped while the transport is not writable", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect("/", { transports: ["polling"] });
  const [socket] = await connected;
  const got: unknown[] = [];
  c.on("v", (n: number) => got.push(n));
  // Right after a packet is written to a polling transport, the pending GET is answered and
  // the transport is not writable until the client polls again.
  socket.emit("v", "normal");
  socket.volatile.emit("v", "dropped");
  s.io.volatile.emit("v", "dropped too");
  const arrived = waitFor(c, "after");
  socket.emit("after");
  await arrived;
  assert.deepEqual(got, ["normal"]);
});
