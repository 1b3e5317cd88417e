/**
 * Every limit exceeded by one, seen from the application: the socket's `disconnect` event carries
 * the reason and an SKT_ERR description saying which limit was passed. Engine-level edges
 * (exactly at the limit, 413/1009 on the wire, timeouts) are in test/protocol/limits.test.ts,
 * test/protocol/upgrade.test.ts, test/protocol/heartbeat.test.ts and test/compat/disconnect.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { deferred, until, withTimeout } from "../helpers/wait.js";
import { codeOf, rawSioPolling, rawSioWs, startIo } from "./support.js";

const LIMIT = 1_000;

test("a WebSocket text message one byte over maxHttpBufferSize: transport error, PAYLOAD_TOO_LARGE", async (t) => {
  const f = await startIo(t, { maxHttpBufferSize: LIMIT });
  const c = await rawSioWs(f, t);
  // "42" + JSON; the Engine.IO frame is counted whole.
  const body = `["big","${"x".repeat(LIMIT - 2 - 10 + 1)}"]`;
  const frame = `42${body}`;
  assert.equal(Buffer.byteLength(frame), LIMIT + 1);
  c.raw.send(frame);
  const d = await f.disconnectOf(c.id);
  assert.equal(d.reason, "transport error");
  assert.equal(codeOf(d.description), "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
  assert.equal((await c.raw.closed).code, 1009);
});

test("a binary attachment one byte over maxHttpBufferSize: transport error, PAYLOAD_TOO_LARGE", async (t) => {
  const f = await startIo(t, { maxHttpBufferSize: LIMIT });
  const c = await rawSioWs(f, t);
  const got: unknown[] = [];
  const first = deferred();
  f.io.sockets.sockets.get(c.id)?.on("bin", (b: unknown) => {
    got.push(b);
    first.resolve();
  });
  // Exactly at the limit is accepted (over WebSocket a binary frame is sent raw).
  c.raw.send(`451-["bin",{"_placeholder":true,"num":0}]`);
  c.raw.send(Buffer.alloc(LIMIT, 1));
  await withTimeout(first.promise);
  c.raw.send(`451-["bin",{"_placeholder":true,"num":0}]`);
  c.raw.send(Buffer.alloc(LIMIT + 1, 2));
  const d = await f.disconnectOf(c.id);
  assert.equal(got.length, 1, "the attachment at the limit was delivered");
  assert.equal((got[0] as Buffer).length, LIMIT);
  assert.equal(d.reason, "transport error");
  assert.equal(codeOf(d.description), "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
});

test("a polling body one byte over maxHttpBufferSize: 413, transport error, PAYLOAD_TOO_LARGE", async (t) => {
  const f = await startIo(t, { maxHttpBufferSize: LIMIT });
  const { poll, id } = await rawSioPolling(f);
  const res = await poll.post(`42["big","${"y".repeat(LIMIT - 10 + 1)}"]`);
  assert.equal(res.status, 413);
  const d = await f.disconnectOf(id);
  assert.equal(d.reason, "transport error");
  assert.equal(codeOf(d.description), "SKT_ERR_ENGINE_PAYLOAD_TOO_LARGE");
});

/** An Engine.IO message carrying a BINARY_EVENT that announces `n` attachments. */
function attachments(n: number): string {
  const ph = Array.from({ length: n }, (_, i) => `{"_placeholder":true,"num":${i}}`).join(",");
  return `45${n}-["many",${ph}]`;
}

for (const transport of ["websocket", "polling"] as const) {
  test(`${transport}: 10 attachments pass, 11 end the connection (forced close), TOO_MANY_ATTACHMENTS`, async (t) => {
    const f = await startIo(t);
    const got: number[] = [];
    f.io.on("connection", (s) => s.on("many", (...a: unknown[]) => got.push(a.length)));
    if (transport === "websocket") {
      const c = await rawSioWs(f, t);
      c.raw.send(attachments(10));
      for (let i = 0; i < 10; i++) c.raw.send(Buffer.from([i]));
      // events are dispatched a tick after their packet (as socket.io): let this one land first
      await until(() => got.length === 1, 5000, "the 10-attachment event");
      c.raw.send(attachments(11));
      const d = await f.disconnectOf(c.id);
      assert.deepEqual(got, [10]);
      assert.equal(d.reason, "forced close");
      assert.equal(codeOf(d.description), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
    } else {
      const { poll, id } = await rawSioPolling(f);
      const bins = Array.from({ length: 10 }, (_, i) => `b${Buffer.from([i]).toString("base64")}`);
      assert.equal((await poll.post([attachments(10), ...bins].join("\x1e"))).status, 200);
      await until(() => got.length === 1, 5000, "the 10-attachment event");
      await poll.post(attachments(11));
      const d = await f.disconnectOf(id);
      assert.deepEqual(got, [10]);
      assert.equal(d.reason, "forced close");
      assert.equal(codeOf(d.description), "SKT_ERR_PARSER_TOO_MANY_ATTACHMENTS");
    }
  });
}

test("nesting depth 64 passes, 65 ends the connection (forced close), TOO_DEEP", async (t) => {
  const f = await startIo(t);
  const got: unknown[] = [];
  f.io.on("connection", (s) => s.on("deep", (v: unknown) => got.push(v)));
  const c = await rawSioWs(f, t);
  // The event array is depth 1: 63 more arrays inside make 64.
  c.raw.send(`42["deep",${"[".repeat(63)}${"]".repeat(63)}]`);
  await until(() => got.length === 1, 5000, "the depth-64 event");
  c.raw.send(`42["deep",${"[".repeat(64)}${"]".repeat(64)}]`);
  const d = await f.disconnectOf(c.id);
  assert.equal(got.length, 1);
  assert.equal(d.reason, "forced close");
  assert.equal(codeOf(d.description), "SKT_ERR_PARSER_TOO_DEEP");
  // A hostile depth far past the limit is refused the same way, without a stack overflow.
  const c2 = await rawSioWs(f, t);
  c2.raw.send(`42["deep",${"[".repeat(100_000)}${"]".repeat(100_000)}]`);
  const d2 = await f.disconnectOf(c2.id);
  assert.equal(d2.reason, "forced close");
});

test("the outbound buffer passing maxBufferedPackets by one: transport error, BUFFER_FULL", async (t) => {
  const f = await startIo(t, { maxBufferedPackets: 5 });
  // A polling client with no GET parked: every packet waits in the session's buffer.
  const { id } = await rawSioPolling(f);
  const socket = f.io.sockets.sockets.get(id);
  assert.ok(socket);
  for (let i = 0; i < 5; i++) socket.emit("n", i);
  assert.equal(socket.connected, true);
  socket.volatile.emit("v", "dropped, not counted");
  assert.equal(socket.connected, true);
  socket.emit("n", 5);
  const d = await f.disconnectOf(id);
  assert.equal(d.reason, "transport error");
  assert.equal(codeOf(d.description), "SKT_ERR_ENGINE_BUFFER_FULL");
});
