import assert from "node:assert/strict";
import { test } from "node:test";
import type { Socket } from "../../core/engine/index.js";
import { RawPolling, RawWebSocket, rawRequest, startEngine } from "../helpers/raw-engine-client.js";
import { once } from "../helpers/wait.js";

const LIMIT = 1000;

async function pollingSession(t: Parameters<typeof startEngine>[0], opts: Parameters<typeof startEngine>[1] = {}) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, maxHttpBufferSize: LIMIT, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new RawPolling(fx.base);
  await client.handshake();
  const [socket] = await connected;
  return { ...fx, client, socket };
}

async function wsSession(t: Parameters<typeof startEngine>[0], opts: Parameters<typeof startEngine>[1] = {}) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, maxHttpBufferSize: LIMIT, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const ws = await RawWebSocket.connect(fx.wsBase);
  t.after(() => ws.close());
  await ws.next();
  const [socket] = await connected;
  return { ...fx, ws, socket };
}

test("accepts a polling body of exactly maxHttpBufferSize bytes", async (t) => {
  const { client, socket } = await pollingSession(t);
  const got = once<[string]>(socket, "message");
  const res = await client.post("4" + "a".repeat(LIMIT - 1));
  assert.equal(res.status, 200);
  assert.equal((await got)[0].length, LIMIT - 1);
});

test("answers 413 to a polling body one byte over maxHttpBufferSize (Content-Length) and closes the session", async (t) => {
  const { client, socket, engine } = await pollingSession(t);
  const got: unknown[] = [];
  socket.on("message", (m) => got.push(m));
  const closed = once<[string, Error?]>(socket, "close");
  const res = await client.post("4" + "a".repeat(LIMIT));
  assert.equal(res.status, 413);
  const [reason, description] = await closed;
  assert.equal(reason, "transport error");
  assert.equal((description as { code?: string }).code, "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
  assert.deepEqual(got, []);
  assert.equal(engine.clientsCount, 0);
});

test("answers 413 to a chunked polling body one byte over maxHttpBufferSize", async (t) => {
  const { client, socket } = await pollingSession(t);
  const got: unknown[] = [];
  socket.on("message", (m) => got.push(m));
  const closed = once<[string, Error?]>(socket, "close");
  const res = await rawRequest(client.url(), { method: "POST", body: "4" + "é".repeat(LIMIT / 2), chunked: true });
  assert.equal(res.status, 413);
  assert.equal(((await closed)[1] as { code?: string }).code, "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
  assert.deepEqual(got, []);
});

test("accepts a WebSocket message of exactly maxHttpBufferSize bytes", async (t) => {
  const { ws, socket } = await wsSession(t);
  const got = once<[string]>(socket, "message");
  ws.send("4" + "a".repeat(LIMIT - 1));
  assert.equal((await got)[0].length, LIMIT - 1);
  const bin = once<[Buffer]>(socket, "message");
  ws.send(Buffer.alloc(LIMIT));
  assert.equal((await bin)[0].length, LIMIT);
});

test("closes a WebSocket with 1009 on a message one byte over maxHttpBufferSize", async (t) => {
  const { ws, socket, engine } = await wsSession(t);
  const closed = once<[string, Error?]>(socket, "close");
  ws.send(Buffer.alloc(LIMIT + 1));
  const [reason, description] = await closed;
  assert.equal(reason, "transport error");
  assert.equal((description as { code?: string }).code, "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
  assert.equal((await ws.closed).code, 1009);
  assert.equal(engine.clientsCount, 0);
});

test("closes the session when the outbound buffer passes maxBufferedPackets", async (t) => {
  const { client, socket } = await pollingSession(t, { maxBufferedPackets: 3 });
  const closed = once<[string, Error?]>(socket, "close");
  socket.send("1").send("2").send("3");
  assert.equal(socket.readyState, "open");
  socket.send("4");
  const [reason, description] = await closed;
  assert.equal(reason, "transport error");
  assert.equal((description as { code?: string }).code, "SKT_ERR_ENGINE_BUFFER_FULL");
  assert.equal((await client.poll()).status, 400);
});

test("closes the session when the outbound buffer passes maxBufferedBytes by one byte", async (t) => {
  const { socket } = await pollingSession(t, { maxBufferedBytes: 10 });
  const closed = once<[string, Error?]>(socket, "close");
  socket.send("abcd"); // 5 bytes on the wire ("4abcd")
  socket.send("wxyz"); // 10
  assert.equal(socket.readyState, "open");
  socket.send(""); // 11: one byte over
  assert.equal(((await closed)[1] as { code?: string }).code, "SKT_ERR_ENGINE_BUFFER_FULL");
});

test("drops volatile packets instead of overflowing the buffer", async (t) => {
  const { client, socket } = await pollingSession(t, { maxBufferedPackets: 2 });
  socket.send("a").send("b");
  socket.send("c", { volatile: true });
  assert.equal(socket.readyState, "open");
  assert.equal((await client.poll()).body, "4a\x1e4b");
});

test("a session closed by an overflowing initial packet is never announced and leaves no timer", async (t) => {
  const fx = await startEngine(t, { maxBufferedBytes: 3, initialPacket: "too long" });
  let announced = false;
  fx.engine.on("connection", () => {
    announced = true;
  });
  const client = new RawPolling(fx.base);
  const open = await client.handshake();
  assert.ok(open.sid);
  assert.equal(fx.engine.clientsCount, 0);
  assert.equal((await client.poll()).status, 400);
  assert.equal(announced, false);
});
