/**
 * Abuse of the protocol state machine: each misuse gets its specified answer and nothing else
 * breaks (a second, well-behaved client keeps its round trips). Covered elsewhere: concurrent
 * polling GETs and a POST during a POST (test/protocol/polling.test.ts), an upgrade with an
 * unknown sid and a second upgrade in progress (test/protocol/handshake.test.ts,
 * test/protocol/upgrade.test.ts), a namespace that does not exist (test/compat/namespaces.test.ts).
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { RawWebSocket } from "../helpers/raw-engine-client.js";
import { until, withTimeout } from "../helpers/wait.js";
import { codeOf, rawSioPolling, rawSioWs, startIo, type IoFixture, type RawSioWs } from "./support.js";

/** Echo with ack on every connection, so a healthy client can prove the server still serves. */
function echo(f: IoFixture): void {
  f.io.on("connection", (s) => s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)));
}

/** A round trip through the server on a well-behaved raw client. */
async function roundTrip(c: RawSioWs, n: number): Promise<void> {
  c.raw.send(`42${n}["echo",${n}]`);
  for (;;) {
    const m = await c.nextData();
    if (m === `43${n}[${n}]`) return;
  }
}

async function bystander(f: IoFixture, t: TestContext): Promise<RawSioWs> {
  const c = await rawSioWs(f, t);
  await roundTrip(c, 1);
  return c;
}

test("an event before CONNECT closes the connection at once (spec: CONNECT must come first)", async (t) => {
  const f = await startIo(t);
  echo(f);
  const good = await bystander(f, t);
  let handled = 0;
  f.io.on("connection", (s) => s.onAny(() => handled++));
  const bad = await RawWebSocket.connect(f.wsBase);
  t.after(() => bad.close());
  assert.match(String(await bad.next()), /^0\{/);
  bad.send(`42["sneaky"]`);
  await withTimeout(bad.closed, undefined, "the connection to close");
  assert.equal(handled, 0);
  await roundTrip(good, 2);
});

test("a second CONNECT to a namespace already joined closes the connection (as socket.io)", async (t) => {
  // socket.io-client never sends one once it has the CONNECT reply (test/compat/protocol-violations.test.ts
  // covers the one it sends while still connecting).
  const f = await startIo(t);
  echo(f);
  const c = await rawSioWs(f, t);
  c.raw.send("40");
  const d = await f.disconnectOf(c.id);
  assert.equal(d.reason, "forced server close");
  await withTimeout(c.raw.closed, undefined, "the connection to close");
  assert.equal(f.io.sockets.sockets.size, 0);
});

test("an ack with an unknown id is ignored; the connection goes on", async (t) => {
  const f = await startIo(t);
  echo(f);
  const c = await rawSioWs(f, t);
  c.raw.send(`43999["nobody asked"]`);
  c.raw.send(`430[]`);
  c.raw.send(`43${Number.MAX_SAFE_INTEGER}[]`);
  await roundTrip(c, 7);
  // An id that is not a safe integer is malformed.
  c.raw.send(`4399999999999999999999["x"]`);
  const d = await f.disconnectOf(c.id);
  assert.equal(d.reason, "forced close");
  assert.equal(codeOf(d.description), "SKT_ERR_PARSER_INVALID_PACKET");
});

test("an event for a namespace the connection left closes the connection", async (t) => {
  const f = await startIo(t);
  echo(f);
  const c = await rawSioWs(f, t);
  c.raw.send("41");
  const d = await f.disconnectOf(c.id);
  assert.equal(d.reason, "client namespace disconnect");
  c.raw.send(`42["late"]`);
  await withTimeout(c.raw.closed, undefined, "the connection to close");
});

test("upgrading a session that is already on WebSocket is closed after its handshake; the session goes on", async (t) => {
  const f = await startIo(t);
  echo(f);
  const { poll, id } = await rawSioPolling(f);
  const ws = await RawWebSocket.connect(f.wsBase, poll.sid);
  t.after(() => ws.close());
  ws.send("2probe");
  assert.equal(await ws.next(), "3probe");
  ws.send("5");
  const engineSocket = f.io.sockets.sockets.get(id)?.conn;
  assert.ok(engineSocket);
  await until(() => engineSocket.upgraded, undefined, "the upgrade");
  // the WebSocket handshake completes, then the server closes that WebSocket (as engine.io)
  const extra = await RawWebSocket.connect(f.wsBase, poll.sid);
  t.after(() => extra.close());
  await withTimeout(extra.closed, undefined, "the extra WebSocket to close");
  // A polling request on the upgraded session is refused too (transport mismatch).
  const res = await poll.poll();
  assert.equal(res.status, 400);
  ws.send(`421["echo","still here"]`);
  for (;;) {
    const m = await ws.next();
    if (m === `431["still here"]`) break;
  }
  assert.equal(f.disconnects.length, 0);
});

test("a POST flood: posts are delivered in order, an overlapping one ends only its session", async (t) => {
  const f = await startIo(t);
  echo(f);
  const good = await bystander(f, t);
  const seen: number[] = [];
  f.io.on("connection", (s) => s.on("n", (i: number) => seen.push(i)));
  const { poll, id } = await rawSioPolling(f);
  for (let i = 0; i < 100; i++) {
    const res = await poll.post(`42["n",${i}]`);
    assert.equal(res.status, 200);
  }
  assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i));
  // Forty POSTs at once: each is delivered or, when it overlaps another, refused with 400, which
  // ends that session only (transport error).
  const body = `42["n","${"z".repeat(50_000)}"]`;
  const answers = await Promise.all(Array.from({ length: 40 }, () => poll.post(body).catch(() => ({ status: 0 }))));
  const statuses = answers.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 200 || s === 400 || s === 0), `statuses ${statuses.join(",")}`);
  if (statuses.every((s) => s === 200)) {
    assert.equal(seen.length, 140);
    assert.equal(f.disconnects.length, 0);
  } else {
    const d = await f.disconnectOf(id);
    assert.equal(d.reason, "transport error");
    assert.equal(f.disconnects.length, 1);
  }
  await roundTrip(good, 3);
});

test("a client event named \"error\" with nobody listening is dropped, not thrown", async (t) => {
  const f = await startIo(t);
  echo(f);
  const c = await rawSioWs(f, t);
  c.raw.send(`42["error","boom"]`);
  await roundTrip(c, 4);
  assert.equal(f.disconnects.length, 0);
  // With a listener, it is an ordinary event.
  const got: unknown[] = [];
  f.io.sockets.sockets.get(c.id)?.on("error", (e: unknown) => got.push(e));
  c.raw.send(`42["error","heard"]`);
  await roundTrip(c, 5);
  assert.deepEqual(got, ["heard"]);
});
