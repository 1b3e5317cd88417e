import assert from "node:assert/strict";
import { test } from "node:test";
import { ENGINE_ERRORS, type Socket } from "../../core/engine/index.js";
import { RawPolling, RawWebSocket, startEngine } from "../helpers/raw-engine-client.js";
import { once, until } from "../helpers/wait.js";

async function pollingSession(t: Parameters<typeof startEngine>[0], opts: Parameters<typeof startEngine>[1] = {}) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new RawPolling(fx.base);
  await client.handshake();
  const [socket] = await connected;
  return { ...fx, client, socket };
}

test("upgrades polling to WebSocket: 2probe/3probe, noop to the parked GET, then 5", async (t) => {
  const { client, socket, wsBase } = await pollingSession(t);
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  const upgrading = once(socket, "upgrading");
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => ws.close());
  await upgrading;
  assert.equal(socket.upgrading, true);
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  assert.equal((await parked).body, "6");
  const upgraded = once(socket, "upgrade");
  ws.send("5");
  await upgraded;
  assert.equal(socket.transport.name, "websocket");
  assert.equal(socket.upgraded, true);
  assert.equal(socket.upgrading, false);
  socket.send("over ws");
  assert.equal(await ws.next(), "4over ws");
  const got = once<[string]>(socket, "message");
  ws.send("4from ws");
  assert.equal((await got)[0], "from ws");
  // polling is over for this session
  const stale = await client.poll();
  assert.equal(stale.status, 400);
  assert.equal((JSON.parse(stale.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
  // a second upgrade completes its WebSocket handshake, then is closed (as engine.io)
  const extra = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => extra.close());
  await extra.closed;
});

test("packets buffered during the upgrade are flushed on the new transport", async (t) => {
  const { client, socket, wsBase } = await pollingSession(t);
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => ws.close());
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  socket.send("queued");
  const upgraded = once(socket, "upgrade");
  ws.send("5");
  await upgraded;
  assert.equal(await ws.next(), "4queued");
});

test("abandons an upgrade that does not complete within upgradeTimeout", async (t) => {
  const { client, socket, wsBase } = await pollingSession(t, { upgradeTimeout: 100 });
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => ws.close());
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  await ws.closed;
  assert.equal(socket.upgrading, false);
  assert.equal(socket.transport.name, "polling");
  assert.equal(socket.readyState, "open");
  socket.send("still polling");
  assert.equal((await client.poll()).body, "4still polling");
});

test("a probe WebSocket closed by the client leaves the session polling", async (t) => {
  const { client, socket, wsBase } = await pollingSession(t);
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  await until(() => socket.upgrading, 5000, "upgrading");
  ws.ws.close();
  await until(() => !socket.upgrading, 5000, "upgrade abandoned");
  assert.equal(socket.readyState, "open");
  assert.equal(socket.transport.name, "polling");
});

test("closes a second upgrade while one is in progress, after its WebSocket handshake", async (t) => {
  const { client, socket, wsBase } = await pollingSession(t);
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => ws.close());
  await until(() => socket.upgrading, 5000, "upgrading");
  const extra = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => extra.close());
  await extra.closed;
  assert.equal(socket.upgrading, true);
});

test("closing the session mid-upgrade lets the probe finish, then flushes and closes on the WebSocket", async (t) => {
  // After `3probe` a real client pauses polling and only reads on the WebSocket again, so a
  // close() in this window must not abort the probe: what is buffered (a Socket.IO DISCONNECT,
  // say) would otherwise wait for a GET that never comes, until a ping timeout.
  const { client, socket, wsBase, engine } = await pollingSession(t);
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  t.after(() => ws.close());
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  const closed = once<[string]>(socket, "close");
  socket.send("bye");
  socket.close();
  ws.send("5");
  assert.equal(await ws.next(), "4bye");
  await ws.closed;
  assert.equal((await closed)[0], "forced close");
  assert.equal(engine.clientsCount, 0);
});

test("a probe that fails while the session is closing finishes the close over polling", async (t) => {
  const { client, socket, wsBase, engine } = await pollingSession(t);
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  const closed = once<[string]>(socket, "close");
  socket.close();
  ws.close();
  await ws.closed;
  await until(() => !socket.upgrading, 5000, "probe abandoned");
  // the close packet travels on the client's next GET, after a noop (as engine.io)
  assert.equal((await client.poll()).body, "6\x1e1");
  assert.equal((await closed)[0], "forced close");
  assert.equal(engine.clientsCount, 0);
});

test("server.close() mid-upgrade closes both transports", async (t) => {
  const { client, socket, wsBase, engine } = await pollingSession(t);
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  const ws = await RawWebSocket.connect(wsBase, client.sid);
  await until(() => socket.upgrading, 5000, "upgrading");
  const closed = once<[string]>(socket, "close");
  engine.close();
  assert.equal((await closed)[0], "server shutting down");
  await ws.closed;
  assert.equal((await parked).body, "1");
});

test("refuses upgrades when allowUpgrades is false", async (t) => {
  const { client, wsBase } = await pollingSession(t, { allowUpgrades: false });
  await assert.rejects(RawWebSocket.connect(wsBase, client.sid), (e: { status: number }) => e.status === 400);
});
