import assert from "node:assert/strict";
import { test } from "node:test";
import type { Socket } from "../../core/engine/index.js";
import { RawPolling, RawWebSocket, startEngine } from "../helpers/raw-engine-client.js";
import { once } from "../helpers/wait.js";

test("sends pings every pingInterval and counts pongs as heartbeats", async (t) => {
  const { engine, wsBase } = await startEngine(t, { pingInterval: 50, pingTimeout: 1000 });
  const connected = once<[Socket]>(engine, "connection");
  const ws = await RawWebSocket.connect(wsBase);
  t.after(() => ws.close());
  await ws.next();
  const [socket] = await connected;
  for (let i = 0; i < 3; i++) {
    assert.equal(await ws.next(), "2");
    const beat = once(socket, "heartbeat");
    ws.send("3");
    await beat;
  }
  assert.equal(socket.readyState, "open");
});

test("closes a silent WebSocket client with ping timeout", async (t) => {
  const { engine, wsBase } = await startEngine(t, { pingInterval: 50, pingTimeout: 50 });
  const connected = once<[Socket]>(engine, "connection");
  const ws = await RawWebSocket.connect(wsBase);
  t.after(() => ws.close());
  await ws.next();
  const [socket] = await connected;
  const [reason] = await once<[string]>(socket, "close");
  assert.equal(reason, "ping timeout");
  await ws.closed;
  assert.equal(engine.clientsCount, 0);
});

test("closes a silent polling client with ping timeout and releases its parked GET", async (t) => {
  const { engine, base } = await startEngine(t, { pingInterval: 50, pingTimeout: 50 });
  const connected = once<[Socket]>(engine, "connection");
  const client = new RawPolling(base);
  await client.handshake();
  const [socket] = await connected;
  const closed = once<[string]>(socket, "close");
  assert.equal((await client.poll()).body, "2");
  const parked = client.poll();
  assert.equal((await closed)[0], "ping timeout");
  assert.equal((await parked).body, "1");
});
