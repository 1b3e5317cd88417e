/**
 * @module test/compat/disconnect — every disconnect reason that can be provoked, `disconnecting`
 * with the rooms still filled, and reserved event names.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "../../core/index.js";
import { setup, waitFor, type Setup } from "./support.js";
import type { ServerOptions } from "../../core/index.js";

async function pair(
  t: Parameters<typeof setup>[0],
  opts?: ServerOptions,
  clientOpts: Parameters<Setup["connect"]>[1] = {},
): Promise<{ s: Setup; c: ClientSocket; socket: Socket }> {
  const s = await setup(t, opts);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect("/", clientOpts);
  const [socket] = await connected;
  return { s, c, socket };
}

test("server namespace disconnect: socket.disconnect() — the client sees 'io server disconnect'", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  const client = waitFor(c, "disconnect");
  socket.disconnect();
  assert.equal((await server)[0], "server namespace disconnect");
  assert.equal((await client)[0], "io server disconnect");
  assert.equal(socket.connected, false);
  assert.equal(socket.disconnected, true);
});

test("client namespace disconnect: the client calls disconnect()", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  c.disconnect();
  assert.equal((await server)[0], "client namespace disconnect");
});

test("disconnect(true) closes the whole connection", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  const client = waitFor(c, "disconnect");
  socket.disconnect(true);
  assert.equal((await server)[0], "server namespace disconnect");
  assert.equal((await client)[0], "io server disconnect");
});

test("transport close: the client's connection goes away", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  c.io.engine.close();
  assert.equal((await server)[0], "transport close");
});

test("forced close: the server closes the Engine.IO connection", async (t) => {
  const { socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  socket.conn.close();
  assert.equal((await server)[0], "forced close");
});

test("ping timeout: the client stops answering pings", async (t) => {
  const { c, socket } = await pair(t, { pingInterval: 50, pingTimeout: 50 });
  const server = waitFor(socket, "disconnect");
  // Silence the client: it no longer answers pings.
  (c.io.engine as unknown as { transport: { send: () => void } }).transport.send = () => {};
  assert.equal((await server)[0], "ping timeout");
});

test("forced close: the client sends a Socket.IO packet the decoder refuses (as socket.io)", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  c.io.engine.send("99garbage");
  assert.equal((await server)[0], "forced close");
});

test("transport error: the WebSocket fails under the session", async (t) => {
  const { c, socket } = await pair(t, { maxHttpBufferSize: 100 });
  const server = waitFor(socket, "disconnect");
  c.emit("big", "x".repeat(1_000));
  assert.equal((await server)[0], "transport error");
});

test("forced server close: the server closes a connection that still has sockets on it", async (t) => {
  const { c, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  // An event for a namespace this connection never joined is a protocol violation: the server
  // closes the whole connection.
  c.io.engine.send('2/not-joined,["x"]');
  assert.equal((await server)[0], "forced server close");
});

test("server shutting down: io.close()", async (t) => {
  const { s, socket } = await pair(t);
  const server = waitFor(socket, "disconnect");
  await s.io.close();
  assert.equal((await server)[0], "server shutting down");
});

test("connectTimeout closes a connection that joins no namespace", async (t) => {
  const s = await setup(t, { connectTimeout: 50 });
  const c = s.client("/", { autoConnect: false });
  // Open only the Engine.IO connection, without a CONNECT packet.
  c.io.open();
  await waitFor(c.io, "open");
  await waitFor(c.io.engine, "close");
  assert.equal(s.io.engine.clientsCount, 0);
});

test("disconnecting sees the rooms; disconnect sees them emptied", async (t) => {
  const { c, socket } = await pair(t);
  await socket.join(["a", "b"]);
  let during: string[] = [];
  socket.on("disconnecting", () => (during = [...socket.rooms]));
  const done = waitFor(socket, "disconnect");
  c.disconnect();
  await done;
  assert.deepEqual(during.sort(), [socket.id, "a", "b"].sort());
  assert.equal(socket.rooms.size, 0);
});

test("emitting a reserved event name throws", async (t) => {
  const { s, socket } = await pair(t);
  for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
    assert.throws(() => socket.emit(name as "x"), { code: "SKT_ERR_SOCKET_RESERVED_EVENT" }, name);
    assert.throws(() => s.io.emit(name as "x"), { code: "SKT_ERR_SOCKET_RESERVED_EVENT" }, name);
    assert.throws(() => s.io.to("r").emit(name as "x"), { code: "SKT_ERR_SOCKET_RESERVED_EVENT" }, name);
  }
});
