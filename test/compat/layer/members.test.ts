/**
 * @module test/compat/layer/members — the socket.io members apps and libraries read on Server,
 * Namespace, Socket, Client and BroadcastOperator (core/compat/), each checked against what
 * socket.io 4.8 gives for the same code where socket.io has it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server as SocketIoServer } from "socket.io";
import type { Socket } from "../../../core/index.js";
import { setup, waitFor } from "../support.js";
import { listen } from "../../helpers/listen.js";

test("io._nsps lists the namespaces by name and io.eio is the engine", async (t) => {
  const s = await setup(t);
  const admin = s.io.of("/admin");
  assert.ok(s.io._nsps instanceof Map);
  assert.deepEqual([...s.io._nsps.keys()], ["/", "/admin"]);
  assert.equal(s.io._nsps.get("/admin"), admin);
  assert.equal(s.io.eio, s.io.engine);
  // not in spreads nor keys, like a private field
  assert.equal(Object.keys(s.io).includes("_nsps"), false);
});

test("io.opts carries connectionStateRecovery as socket.io resolves it", async (t) => {
  const plain = await setup(t);
  assert.equal(plain.io.opts.connectionStateRecovery, undefined);
  const s = await setup(t, { connectionStateRecovery: { maxDisconnectionDuration: 5_000 } });
  assert.deepEqual(s.io.opts.connectionStateRecovery, { maxDisconnectionDuration: 5_000, skipMiddlewares: true });
  assert.equal(s.io.opts.path, "/socket.io");
  assert.equal(s.io.opts.connectTimeout, 45_000);
  assert.equal(s.io.opts.serveClient, true);
  assert.equal(s.io.opts.cleanupEmptyChildNamespaces, false);
  const { server } = await listen(undefined);
  const sio = new SocketIoServer(server, { connectionStateRecovery: { maxDisconnectionDuration: 5_000 } });
  t.after(() => sio.close());
  assert.equal((sio as unknown as { opts: typeof s.io.opts }).opts.connectionStateRecovery?.skipMiddlewares, true);
});

test("nsp._ids is the namespace's ack counter, shared with the sockets' acks", async (t) => {
  const s = await setup(t);
  const nsp = s.io.of("/");
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect();
  const [socket] = await connected;
  const taken = nsp._ids++;
  c.on("ask", (cb: (v: string) => void) => cb("answer"));
  const answer = await socket.timeout(2_000).emitWithAck("ask");
  assert.equal(answer, "answer");
  // the socket took the next id: the adapter's id was not reused
  assert.equal(nsp._ids, taken + 2);
});

test("nsp._onServerSideEmit delivers to serverSideEmit listeners, ack last", async (t) => {
  const s = await setup(t);
  const got = waitFor<[number, (v: string) => void]>(s.io.of("/"), "ping");
  s.io.of("/")._onServerSideEmit(["ping", 1, (v: string) => answered.push(v)]);
  const answered: string[] = [];
  const [n, ack] = await got;
  assert.equal(n, 1);
  ack("pong");
  assert.deepEqual(answered, ["pong"]);
});

test("socket.acks holds pending acks; an adapter's acks.set entry is answered by the client", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect();
  const [socket] = await connected;
  assert.ok(socket.acks instanceof Map);
  c.on("q", (cb: (v: number) => void) => cb(42));
  const answer = new Promise<unknown[]>((resolve) => socket.emit("q", (...a: unknown[]) => resolve(a)));
  assert.equal(socket.acks.size, 1);
  assert.deepEqual(await answer, [42]);
  assert.equal(socket.acks.size, 0);
});

test("socket.notifyOutgoingListeners reaches onAnyOutgoing", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  await s.connect();
  const [socket] = await connected;
  const seen: unknown[][] = [];
  socket.onAnyOutgoing((...a: unknown[]) => seen.push(a));
  socket.notifyOutgoingListeners({ type: 2, nsp: "/", data: ["ev", 1] });
  assert.deepEqual(seen, [["ev", 1]]);
});

test("socket.local marks the next broadcast local; socket.leaveAll leaves every room", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  await s.connect();
  const [socket] = await connected;
  const flags: unknown[] = [];
  const adapter = s.io.of("/").adapter;
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, opts) => {
    flags.push(opts.flags?.local);
    broadcast(packet, opts);
  };
  assert.equal(socket.local, socket);
  socket.to("r").emit("x");
  socket.to("r").emit("y");
  assert.deepEqual(flags, [true, undefined]);
  await socket.join(["a", "b"]);
  assert.deepEqual([...socket.rooms].sort(), [socket.id, "a", "b"].sort());
  socket.leaveAll();
  assert.equal(socket.rooms.size, 0);
});

test("a BroadcastOperator shows its rooms, exceptRooms and flags, read-only", async (t) => {
  const s = await setup(t);
  const op = s.io.to(["a", "b"]).except("c").volatile.timeout(100);
  assert.deepEqual([...op.rooms], ["a", "b"]);
  assert.deepEqual([...op.exceptRooms], ["c"]);
  assert.deepEqual(op.flags, { volatile: true, timeout: 100 });
  assert.throws(() => {
    (op.flags as { volatile: boolean }).volatile = false;
  });
  assert.deepEqual([...s.io.to("a").rooms], ["a"]);
  assert.deepEqual([...op.rooms], ["a", "b"]);
});

test("engine packetCreate shows every packet with its options, compress defaulting to true", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect();
  const [socket] = await connected;
  const created: { type: string; options?: { compress?: boolean; volatile?: boolean } }[] = [];
  socket.conn.on("packetCreate", (p) => created.push(p as (typeof created)[number]));
  const got = waitFor(c, "b");
  socket.emit("a");
  socket.compress(false).emit("b");
  await got;
  assert.equal(created.length, 2);
  assert.equal(created[0]!.options?.compress, true);
  assert.equal(created[1]!.options?.compress, false);
});

test("socket.conn shows the transport name and the request's headers and address (admin-ui)", async (t) => {
  const s = await setup(t);
  const connected = waitFor<[Socket]>(s.io, "connection");
  await s.connect("/", { extraHeaders: { "x-test": "yes" }, transports: ["polling"] });
  const [socket] = await connected;
  assert.equal(socket.conn.transport.name, "polling");
  assert.equal(socket.conn.request.headers["x-test"], "yes");
  assert.equal(socket.conn.remoteAddress, "127.0.0.1");
  assert.equal(socket.client.conn, socket.conn);
  // admin-ui shows the start of socket.client.id (socket.io's Client keeps the session id there)
  assert.equal(socket.client.id, socket.conn.id);
});
