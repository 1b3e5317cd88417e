import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import { test, type TestContext } from "node:test";
import { Socket as ClientSocket, type SocketOptions } from "engine.io-client";
import type { EngineOptions, Socket } from "../../core/engine/index.js";
import { startEngine } from "../helpers/raw-engine-client.js";
import { deferred, once, until } from "../helpers/wait.js";

/** engine.io-client's typed emitter, seen as a plain one for the wait helpers. */
const em = (c: ClientSocket): EventEmitter => c as unknown as EventEmitter;

async function connect(t: TestContext, engineOpts: EngineOptions, clientOpts: Partial<SocketOptions>) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, ...engineOpts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new ClientSocket(`http://127.0.0.1:${fx.port}`, clientOpts);
  t.after(() => client.close());
  await once(em(client), "open");
  const [socket] = await connected;
  return { ...fx, client, socket };
}

function nextMessage(emitter: { once(ev: "message", fn: (d: never) => void): unknown }): Promise<unknown> {
  const d = deferred<unknown>();
  const timer = setTimeout(() => d.reject(new Error("no message within 5000 ms")), 5000);
  emitter.once("message", (m: never) => {
    clearTimeout(timer);
    d.resolve(m);
  });
  return d.promise;
}

async function roundTrip(client: ClientSocket, socket: Socket): Promise<void> {
  const atServer = nextMessage(socket);
  client.send("héllo");
  assert.equal(await atServer, "héllo");
  const binAtServer = nextMessage(socket);
  client.send(new Uint8Array([1, 2, 250]));
  assert.deepEqual(await binAtServer, Buffer.from([1, 2, 250]));
  const atClient = nextMessage(client);
  socket.send("wörld");
  assert.equal(await atClient, "wörld");
  const binAtClient = nextMessage(client);
  socket.send(Buffer.from([9, 0, 200]));
  assert.deepEqual(Buffer.from((await binAtClient) as Uint8Array), Buffer.from([9, 0, 200]));
}

test("engine.io-client connects by polling, exchanges text and binary, then upgrades to WebSocket", async (t) => {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000 });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports: ["polling", "websocket"] });
  t.after(() => client.close());
  const clientUpgraded = once(em(client), "upgrade");
  const [socket] = await connected;
  assert.equal(socket.transport.name, "polling");
  const serverUpgraded = once(socket, "upgrade");
  await Promise.all([clientUpgraded, serverUpgraded]);
  assert.equal(socket.transport.name, "websocket");
  assert.equal(client.transport.name, "websocket");
  await roundTrip(client, socket);
});

test("engine.io-client exchanges text and binary over polling only", async (t) => {
  const { client, socket } = await connect(t, {}, { transports: ["polling"] });
  assert.equal(socket.transport.name, "polling");
  await roundTrip(client, socket);
  assert.equal(socket.transport.name, "polling");
});

test("engine.io-client connects WebSocket-only and exchanges text and binary", async (t) => {
  const { client, socket } = await connect(t, {}, { transports: ["websocket"] });
  assert.equal(socket.transport.name, "websocket");
  assert.equal(socket.upgraded, false);
  await roundTrip(client, socket);
});

test("engine.io-client sees heartbeats and answers them", async (t) => {
  const { client, socket } = await connect(t, { pingInterval: 40, pingTimeout: 2000 }, { transports: ["websocket"] });
  let pings = 0;
  let beats = 0;
  client.on("ping", () => pings++);
  socket.on("heartbeat", () => beats++);
  await until(() => pings >= 3 && beats >= 3, 5000, "three heartbeats");
  assert.equal(socket.readyState, "open");
});

test("the server detects a silent engine.io-client by ping timeout", async (t) => {
  const { client, socket } = await connect(t, { pingInterval: 40, pingTimeout: 40 }, { transports: ["websocket"] });
  // silence the client: it keeps the connection but stops answering pings
  (client as unknown as { _sendPacket: () => void })._sendPacket = () => {};
  const [reason] = await once<[string]>(socket, "close");
  assert.equal(reason, "ping timeout");
  await once(em(client), "close");
});

test("a client closing mid-poll closes the session on the server", async (t) => {
  const { client, socket, engine } = await connect(t, {}, { transports: ["polling"] });
  await until(() => socket.transport.writable, 5000, "GET parked");
  const closed = once<[string]>(socket, "close");
  client.close();
  assert.equal((await closed)[0], "transport close");
  assert.equal(engine.clientsCount, 0);
});

test("a server closing mid-poll closes the client", async (t) => {
  const { client, socket, engine } = await connect(t, {}, { transports: ["polling"] });
  await until(() => socket.transport.writable, 5000, "GET parked");
  const clientClosed = once<[string]>(em(client), "close");
  socket.close();
  assert.equal((await clientClosed)[0], "transport close");
  assert.equal(engine.clientsCount, 0);
});

test("a client closing mid-upgrade closes the session and the probe", async (t) => {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000 });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports: ["polling", "websocket"] });
  t.after(() => client.close());
  const [socket] = await connected;
  await once(socket, "upgrading");
  const closed = once<[string]>(socket, "close");
  client.close();
  await closed;
  assert.equal(socket.upgrading, false);
  assert.equal(fx.engine.clientsCount, 0);
});

test("a server closing mid-upgrade closes the client", async (t) => {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000 });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports: ["polling", "websocket"] });
  t.after(() => client.close());
  const [socket] = await connected;
  await once(socket, "upgrading");
  const clientClosed = once(em(client), "close");
  socket.close();
  await clientClosed;
  await until(() => fx.engine.clientsCount === 0, 5000, "session gone");
  assert.equal(socket.readyState, "closed");
});

test("engine.close() closes every client", async (t) => {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000 });
  const clients = [
    new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports: ["polling"] }),
    new ClientSocket(`http://127.0.0.1:${fx.port}`, { transports: ["websocket"] }),
  ];
  for (const c of clients) t.after(() => c.close());
  await Promise.all(clients.map((c) => once(em(c), "open")));
  await until(() => fx.engine.clientsCount === 2, 5000, "two sessions");
  const reasons: string[] = [];
  for (const s of Object.values(fx.engine.clients)) s.on("close", (r) => reasons.push(r));
  const closed = Promise.all(clients.map((c) => once(em(c), "close")));
  fx.engine.close();
  await closed;
  assert.deepEqual(reasons, ["server shutting down", "server shutting down"]);
  assert.equal(fx.engine.clientsCount, 0);
});
