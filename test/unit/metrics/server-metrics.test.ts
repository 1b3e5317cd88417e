/**
 * io.metrics() on a real Server with the official socket.io-client: every figure of the snapshot
 * moves the way the traffic says, and renders for Prometheus.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { io as ioc, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from "socket.io-client";
import { Server, renderPrometheus, type Socket } from "../../../core/index.js";
import { closeServer, listen } from "../../helpers/listen.js";
import { once, until } from "../../helpers/wait.js";

/** `once()` for a socket.io-client socket (its emitter typing is its own). */
function clientOnce(c: ClientSocket, event: string): Promise<unknown[]> {
  return once(c as unknown as Parameters<typeof once>[0], event);
}

async function setup(t: TestContext) {
  const { server, url } = await listen(undefined);
  const io = new Server(server);
  const clients: ClientSocket[] = [];
  // Clients, then the server, then the HTTP server: WebSocket connections are not the HTTP
  // server's to close, so it would wait for them.
  t.after(async () => {
    for (const c of clients) c.disconnect();
    await io.close();
    await closeServer(server);
  });
  const connect = async (nsp = "/", opts: Partial<ManagerOptions & SocketOptions> = {}) => {
    const c = ioc(url + nsp, { forceNew: true, reconnection: false, ...opts });
    clients.push(c);
    await clientOnce(c, "connect");
    return c;
  };
  return { io, connect };
}

test("counts connections by transport and namespace, and rooms by size", async (t) => {
  const { io, connect } = await setup(t);
  io.on("connection", (s: Socket) => void s.join(["lobby", `user:${s.handshake.auth.n as string}`]));
  io.of("/admin");
  await connect("/", { transports: ["polling"], auth: { n: "1" } });
  await connect("/", { transports: ["websocket"], auth: { n: "2" } });
  await connect("/admin", { transports: ["websocket"] });
  const s = io.metrics();
  assert.equal(s.connections.total, 3);
  assert.deepEqual(s.connections.byTransport, { polling: 1, websocket: 2 });
  assert.equal(s.connections.opened, 3);
  assert.equal(s.namespaces["/"]?.sockets, 2);
  assert.equal(s.namespaces["/admin"]?.sockets, 1);
  assert.deepEqual(s.namespaces["/"]?.rooms, { lobby: 2, "user:1": 1, "user:2": 1 });
  assert.equal(s.namespaces["/"]?.roomCount, 3);
  assert.equal(s.namespaces["/admin"]?.roomCount, 0, "a socket's own room is not an application room");
});

test("counts events and bytes in and out; a broadcast counts once per recipient", async (t) => {
  const { io, connect } = await setup(t);
  io.on("connection", (s: Socket) => {
    s.on("shout", (text: string) => io.emit("heard", text));
  });
  const a = await connect();
  const b = await connect();
  const before = io.metrics();
  const heard = Promise.all([clientOnce(a, "heard"), clientOnce(b, "heard")]);
  a.emit("shout", "hello");
  await heard;
  const after = io.metrics();
  assert.equal(after.events.in - before.events.in, 1);
  assert.equal(after.events.out - before.events.out, 2);
  const frame = Buffer.byteLength('2["heard","hello"]');
  assert.equal(after.bytes.out - before.bytes.out, 2 * frame);
  assert.equal(after.bytes.in - before.bytes.in, Buffer.byteLength('2["shout","hello"]'));
  assert.ok(after.events.inPerSecond > 0);
});

test("counts disconnects by reason", async (t) => {
  const { io, connect } = await setup(t);
  const sockets: Socket[] = [];
  io.on("connection", (s: Socket) => sockets.push(s));
  const a = await connect();
  await connect();
  const gone = once(sockets[0]!, "disconnect");
  a.disconnect();
  await gone;
  const kicked = once(sockets[1]!, "disconnect");
  sockets[1]!.disconnect();
  await kicked;
  const s = io.metrics();
  assert.equal(s.disconnects.total, 2);
  assert.deepEqual(s.disconnects.byReason, { "client namespace disconnect": 1, "server namespace disconnect": 1 });
  await until(() => io.metrics().connections.total === 1, 5_000, "the kicked client's connection to stay, the other to close");
});

test("counts volatile packets dropped while the transport is busy", async (t) => {
  const { io, connect } = await setup(t);
  const connected = once<[Socket]>(io, "connection");
  const c = await connect("/", { transports: ["websocket"] });
  const [socket] = await connected;
  let received = 0;
  c.on("tick", () => received++);
  // The first frame makes the WebSocket transport busy until ws reports it written; the rest
  // of this synchronous burst finds it busy and is dropped.
  for (let i = 0; i < 20; i++) socket.volatile.emit("tick", i);
  await until(() => received > 0, 5_000, "the first tick");
  const s = io.metrics();
  assert.ok(s.volatileDropped > 0, `some volatile packets were dropped (${s.volatileDropped})`);
  assert.equal(s.volatileDropped + s.events.out, 20);
});

test("renders a live snapshot as Prometheus text", async (t) => {
  const { io, connect } = await setup(t);
  await connect("/", { transports: ["websocket"] });
  const text = renderPrometheus(io.metrics());
  assert.match(text, /^socketeer_connections\{transport="websocket"\} 1$/m);
  assert.match(text, /^socketeer_namespace_sockets\{namespace="\/"\} 1$/m);
  assert.match(text, /^socketeer_buffered_bytes 0$/m);
});
