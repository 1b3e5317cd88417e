/**
 * Engine.IO v3 on the wire (`allowEIO3`), with raw HTTP requests and WebSockets: the handshake,
 * length-prefixed text payloads, binary payloads and `b64=1`, JSONP, the client-driven heartbeat,
 * the upgrade, and every malformed framing refused with the protocol's error.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { WebSocket } from "ws";
import type { Socket } from "../../core/engine/index.js";
import { rawRequest, startEngine } from "../helpers/raw-engine-client.js";
import { once, until } from "../helpers/wait.js";

const V3 = { allowEIO3: true, pingInterval: 60_000, pingTimeout: 60_000 };

/** Splits a v3 text payload into its packets (the test's own reading of the framing). */
function packetsOf(body: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const colon = body.indexOf(":", i);
    const n = Number(body.slice(i, colon));
    out.push(body.slice(colon + 1, colon + 1 + n));
    i = colon + 1 + n;
  }
  return out;
}

async function v3Session(t: TestContext, query = "", opts: Record<string, unknown> = {}) {
  const fx = await startEngine(t, { ...V3, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const res = await rawRequest(`${fx.base}?EIO=3&transport=polling${query}`);
  assert.equal(res.status, 200, res.body);
  const [socket] = await connected;
  const url = `${fx.base}?EIO=3&transport=polling&sid=${socket.id}`;
  return { fx, socket, url, handshake: res };
}

test("without allowEIO3 an EIO=3 handshake gets 400 with code 5, over polling and WebSocket", async (t) => {
  const fx = await startEngine(t);
  const res = await rawRequest(`${fx.base}?EIO=3&transport=polling`);
  assert.equal(res.status, 400);
  assert.deepEqual(JSON.parse(res.body), { code: 5, message: "Unsupported protocol version" });
  const ws = new WebSocket(`${fx.wsBase}?EIO=3&transport=websocket`);
  const [, answer] = await once<[unknown, { statusCode: number }]>(ws, "unexpected-response");
  assert.equal(answer.statusCode, 400);
  ws.on("error", () => {}); // terminating a refused handshake reports "closed before established"
  ws.terminate();
});

test("the v3 handshake is a length-prefixed open packet and the session reports protocol 3", async (t) => {
  const { socket, handshake } = await v3Session(t);
  assert.equal(socket.protocol, 3);
  const [open] = packetsOf(handshake.body);
  assert.ok(handshake.body.startsWith(`${open!.length}:0{`), handshake.body);
  const data = JSON.parse(open!.slice(1)) as Record<string, unknown>;
  assert.equal(data.sid, socket.id);
  assert.deepEqual(data.upgrades, ["websocket"]);
  assert.equal(data.pingInterval, 60_000);
});

test("a v4 handshake on the same engine still speaks v4", async (t) => {
  const fx = await startEngine(t, V3);
  const res = await rawRequest(`${fx.base}?EIO=4&transport=polling`);
  assert.ok(res.body.startsWith("0{"), res.body);
  assert.equal(Object.values(fx.engine.clients)[0]!.protocol, 4);
});

test("POSTed text payloads are decoded by their length prefixes (UTF-16 lengths)", async (t) => {
  const { socket, url } = await v3Session(t);
  const got: unknown[] = [];
  socket.on("message", (d) => got.push(d));
  const res = await rawRequest(url, { method: "POST", body: "6:4hello3:4wé2:4:6:b4AQID" });
  assert.equal(res.status, 200);
  assert.equal(res.body, "ok");
  assert.deepEqual(got, ["hello", "wé", ":", Buffer.from([1, 2, 3])]);
});

test("binary goes out as a binary payload, or as b4<base64> with b64=1", async (t) => {
  await t.test("binary payload", async (t) => {
    const { socket, url } = await v3Session(t);
    socket.send("é");
    socket.send(Buffer.from([1, 2]));
    const res = await fetch(url);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    const body = Buffer.from(await res.arrayBuffer());
    // text "4é" is 3 UTF-8 bytes; binary is type byte 4 + 2 bytes
    assert.deepEqual([...body], [0, 3, 255, 0x34, 0xc3, 0xa9, 1, 3, 255, 4, 1, 2]);
  });
  await t.test("b64=1", async (t) => {
    const { socket, url } = await v3Session(t, "&b64=1");
    socket.send(Buffer.from([1, 2, 3]));
    const res = await rawRequest(url);
    assert.equal(res.headers["content-type"], "text/plain; charset=UTF-8");
    assert.deepEqual(packetsOf(res.body), ["b4AQID"]);
  });
  await t.test("a binary POST payload", async (t) => {
    const { socket, url } = await v3Session(t);
    const got: unknown[] = [];
    socket.on("message", (d) => got.push(d));
    const body = Buffer.from([0, 2, 255, 0x34, 0x61, 1, 3, 255, 4, 9, 8]);
    const res = await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/octet-stream" } });
    assert.equal(await res.text(), "ok");
    assert.deepEqual(got, ["a", Buffer.from([9, 8])]);
  });
});

test("the client pings and the server pongs; a pong from the client is the wrong direction", async (t) => {
  const { socket, url } = await v3Session(t);
  let heartbeats = 0;
  socket.on("heartbeat", () => heartbeats++);
  await rawRequest(url, { method: "POST", body: "1:2" });
  assert.deepEqual(packetsOf((await rawRequest(url)).body), ["3"]);
  assert.equal(heartbeats, 1);
  const closed = once<[string, Error & { code?: string }]>(socket, "close");
  await rawRequest(url, { method: "POST", body: "1:3" });
  const [reason, err] = await closed;
  assert.equal(reason, "transport error");
  assert.equal(err.code, "SKT_ERR_ENGINE_TRANSPORT");
});

test("the server never pings a v3 client and closes it when its pings stop", async (t) => {
  const fx = await startEngine(t, { allowEIO3: true, pingInterval: 80, pingTimeout: 60 });
  const connected = once<[Socket]>(fx.engine, "connection");
  const opened = Date.now();
  await rawRequest(`${fx.base}?EIO=3&transport=polling`);
  const [socket] = await connected;
  const url = `${fx.base}?EIO=3&transport=polling&sid=${socket.id}`;
  const sent: string[] = [];
  socket.on("packetCreate", (p) => sent.push(p.type));
  // one ping in time keeps it open past the first deadline
  await rawRequest(url, { method: "POST", body: "1:2" });
  const [reason] = await once<[string]>(socket, "close", 2_000);
  assert.equal(reason, "ping timeout");
  assert.ok(Date.now() - opened >= 140, "closed before pingInterval + pingTimeout");
  assert.ok(!sent.includes("ping"), `the server pinged: ${sent.join()}`);
});

test("the upgrade: 2probe/3probe over a v3 WebSocket, then binary frames carry their type byte", async (t) => {
  const { fx, socket } = await v3Session(t);
  const ws = new WebSocket(`${fx.wsBase}?EIO=3&transport=websocket&sid=${socket.id}`);
  await once(ws, "open");
  const frames: (string | Buffer)[] = [];
  ws.on("message", (d: Buffer, binary: boolean) => frames.push(binary ? d : d.toString()));
  ws.send("2probe");
  await until(() => frames.includes("3probe"), 5_000, "3probe");
  const upgraded = once(socket, "upgrade");
  ws.send("5");
  await upgraded;
  socket.send(Buffer.from([7, 7]));
  await until(() => frames.some((f) => Buffer.isBuffer(f)), 5_000, "binary frame");
  assert.deepEqual([...(frames.find((f) => Buffer.isBuffer(f)) as Buffer)], [4, 7, 7]);
  const got = once<[Buffer]>(socket, "message");
  ws.send(Buffer.from([4, 5, 6]));
  assert.deepEqual([...(await got)[0]], [5, 6]);
  const got2 = once<[Buffer]>(socket, "message");
  ws.send("b4AQ==");
  assert.deepEqual([...(await got2)[0]], [1]);
  const pong = until(() => frames.includes("3"), 5_000, "pong");
  ws.send("2");
  await pong;
  ws.close();
});

test("JSONP: script responses and form-encoded POSTs", async (t) => {
  const { socket, url, handshake } = await v3Session(t, "&j=3");
  assert.equal(handshake.headers["content-type"], "text/javascript; charset=UTF-8");
  assert.ok(handshake.body.startsWith('___eio[3]("'), handshake.body);
  assert.ok(handshake.body.endsWith('");'));
  const got: unknown[] = [];
  socket.on("message", (d) => got.push(d));
  // the client escapes a literal "\n" in the payload as "\\n" and a newline as "\n"
  const payload = "7:4a\\\\nb\\nc6:b4AQI=";
  const res = await rawRequest(`${url}&j=3`, {
    method: "POST",
    body: new URLSearchParams({ d: payload }).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(res.body, "ok");
  assert.deepEqual(got, ["a\\nb\nc", Buffer.from([1, 2])]);
  socket.send(Buffer.from([255]));
  socket.send("line\u2028");
  const poll = await rawRequest(`${url}&j=3`);
  const inner = JSON.parse(poll.body.slice("___eio[3](".length, -2)) as string;
  assert.ok(!poll.body.includes("\u2028"), "U+2028 is escaped in the script");
  assert.deepEqual(packetsOf(inner), ["b4/w==", "4line\u2028"]);
});

test("a JSONP index that is not a number is refused with 400, code 3", async (t) => {
  const fx = await startEngine(t, V3);
  for (const j of ["abc", "1;alert(1)", "-1", "", "12345678901"]) {
    const res = await rawRequest(`${fx.base}?EIO=3&transport=polling&j=${encodeURIComponent(j)}`);
    assert.equal(res.status, 400, j);
    assert.deepEqual(JSON.parse(res.body), { code: 3, message: "Bad request" });
  }
  assert.equal(fx.engine.clientsCount, 0);
});

async function refused(t: TestContext, body: string | Buffer, headers: Record<string, string> = {}) {
  const { socket, url } = await v3Session(t);
  const closed = once<[string]>(socket, "close");
  const res = await rawRequest(url, { method: "POST", body, headers });
  return { res, reason: (await closed)[0] };
}

test("malformed v3 framing gets 400 (code 3) and closes the session with parse error", async (t) => {
  const cases: [string, string | Buffer, Record<string, string>?][] = [
    ["a length prefix that is too long", "9:4abc"],
    ["a length prefix that is too short", "2:4abc"],
    ["a negative length", "-1:4a"],
    ["a huge length", "99999999999999999999:4a"],
    ["no colon", "44a"],
    ["a zero length", "0:"],
    ["an empty body", ""],
    ["invalid base64 in a b packet", "6:b4!!!!"],
    ["a b packet without a type", "1:b"],
    ["an unknown packet type", "2:9a"],
    ["a binary payload with a bad marker", Buffer.from([2, 1, 255, 0x34]), { "Content-Type": "application/octet-stream" }],
    ["a binary payload whose length lies", Buffer.from([0, 9, 255, 0x34]), { "Content-Type": "application/octet-stream" }],
    ["a binary payload length digit over 9", Buffer.from([0, 12, 255, 0x34]), { "Content-Type": "application/octet-stream" }],
    ["a binary payload with no separator", Buffer.from([0, 1, 1, 1]), { "Content-Type": "application/octet-stream" }],
  ];
  for (const [name, body, headers] of cases) {
    await t.test(name, async (t) => {
      const { res, reason } = await refused(t, body, headers);
      assert.equal(res.status, 400);
      assert.deepEqual(JSON.parse(res.body), { code: 3, message: "Bad request" });
      assert.equal(reason, "parse error");
    });
  }
});

test("a v3 POST over maxHttpBufferSize by one byte gets 413; at the limit it passes", async (t) => {
  const limit = 64;
  const { socket, url } = await v3Session(t, "", { maxHttpBufferSize: limit });
  const fits = `${limit - 3}:4${"a".repeat(limit - 4)}`;
  assert.equal(fits.length, limit);
  assert.equal((await rawRequest(url, { method: "POST", body: fits })).status, 200);
  const closed = once<[string]>(socket, "close");
  const over = `${limit - 2}:4${"a".repeat(limit - 3)}`;
  assert.equal(over.length, limit + 1);
  assert.equal((await rawRequest(url, { method: "POST", body: over })).status, 413);
  assert.equal((await closed)[0], "transport error");
});

test("an undecodable v3 WebSocket frame closes the session with parse error", async (t) => {
  const fx = await startEngine(t, V3);
  const connected = once<[Socket]>(fx.engine, "connection");
  const ws = new WebSocket(`${fx.wsBase}?EIO=3&transport=websocket`);
  const [socket] = await connected;
  assert.equal(socket.protocol, 3);
  await once(ws, "open");
  const closed = once<[string]>(socket, "close");
  const wsClosed = once<[number]>(ws, "close");
  ws.send(Buffer.from([9, 1, 2]));
  assert.equal((await closed)[0], "parse error");
  assert.equal((await wsClosed)[0], 1002);
});
