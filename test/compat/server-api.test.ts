/**
 * @module test/compat/server-api — the rest of the Server surface: bind(engine), the parser
 * option, send/compress, of(name, fn), and recovery running the middlewares when asked to.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { io as ioc } from "socket.io-client";
import { Encoder, Decoder } from "../../core/parser/index.js";
import { Server as Engine } from "../../core/engine/index.js";
import { Server, type Socket } from "../../core/index.js";
import { closeServer, listen } from "../helpers/listen.js";
import { setup, waitFor } from "./support.js";

test("io.bind(engine) serves the connections of an engine attached elsewhere", async (t) => {
  const http = createServer();
  const { url } = await listen(undefined, undefined, http);
  const engine = new Engine({ path: "/socket.io" });
  engine.attach(http);
  const io = new Server({ serveClient: false });
  io.bind(engine);
  assert.equal(io.engine, engine);
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  // The WebSocket must go before the HTTP server closes (closeAllConnections skips upgraded sockets).
  t.after(async () => {
    c.disconnect();
    await io.close();
    await closeServer(http);
  });
  const connected = waitFor<[Socket]>(io, "connection");
  await waitFor(c, "connect");
  const [socket] = await connected;
  assert.equal(socket.id, c.id);
});

/** A `parser` option whose Encoder counts the packets it encodes (in `encoded`). */
function countingParser() {
  const parser = { Encoder: Encoder, Decoder, encoded: 0 };
  parser.Encoder = class CountingEncoder extends Encoder {
    override encode(packet: Parameters<Encoder["encode"]>[0]) {
      parser.encoded++;
      return super.encode(packet);
    }
  };
  return parser;
}

test("the parser option replaces the codec", async (t) => {
  const parser = countingParser();
  const s = await setup(t, { parser });
  const c = await s.connect();
  const got = waitFor(c, "hi");
  s.io.emit("hi", 1);
  assert.deepEqual(await got, [1]);
  assert.ok(parser.encoded >= 2, "CONNECT and the event went through the custom encoder");
});

test("send/write deliver 'message'; compress(false) and of(name, fn) work", async (t) => {
  const s = await setup(t);
  const seen: string[] = [];
  s.io.of("/x", (socket) => seen.push(socket.nsp.name));
  await s.connect("/x");
  assert.deepEqual(seen, ["/x"]);
  const connected = waitFor<[Socket]>(s.io, "connection");
  const c = await s.connect();
  const [socket] = await connected;
  const messages: unknown[] = [];
  c.on("message", (m: unknown) => messages.push(m));
  const last = waitFor(c, "done");
  socket.send("one");
  socket.compress(false).write("two");
  s.io.send("three");
  s.io.compress(false).emit("message", "four");
  socket.emit("done");
  await last;
  assert.deepEqual(messages, ["one", "two", "three", "four"]);
});

test("a broadcast is encoded once and its WebSocket frame is reused for every recipient", async (t) => {
  const parser = countingParser();
  const s = await setup(t, { parser });
  const frames: unknown[] = [];
  const clients = [];
  for (let i = 0; i < 3; i++) {
    const connected = waitFor<[Socket]>(s.io, "connection");
    clients.push(await s.connect());
    const [socket] = await connected;
    const conn = socket.conn as unknown as { write: (d: unknown, o?: { prepared?: { payload: Buffer } }) => unknown };
    const write = conn.write.bind(conn);
    conn.write = (d, o) => {
      frames.push(o?.prepared?.payload.toString());
      return write(d, o);
    };
  }
  const got = Promise.all(clients.map((c) => waitFor(c, "tick")));
  parser.encoded = 0;
  s.io.emit("tick", 1);
  assert.deepEqual(await got, [[1], [1], [1]]);
  assert.equal(parser.encoded, 1);
  assert.deepEqual(frames, ['42["tick",1]', '42["tick",1]', '42["tick",1]']);
});

test("io.attach() to a second HTTP server keeps the first one served (as socket.io does)", async (t) => {
  const io = new Server();
  t.after(() => io.close());
  const first = await listen(t);
  const second = await listen(t);
  io.attach(first.server);
  io.attach(second.server);
  const names: string[] = [];
  io.on("connection", (socket) => names.push(socket.handshake.headers.host ?? ""));
  for (const { url } of [first, second]) {
    const c = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    t.after(() => c.close());
    await waitFor(c, "connect");
  }
  assert.equal(names.length, 2);
});
