import assert from "node:assert/strict";
import { test } from "node:test";
import type { Socket } from "../../core/engine/index.js";
import { PreparedMessage } from "../../core/engine/prepared-message.js";
import { RawWebSocket, parseOpen, startEngine } from "../helpers/raw-engine-client.js";
import { once } from "../helpers/wait.js";
import type { Socket as NetSocket } from "node:net";

/** The net.Socket methods that hand data to the kernel (node:stream's `_write` / `_writev`). */
interface WriteMethods {
  _write(chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
  _writev(chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void;
}

async function wsSession(t: Parameters<typeof startEngine>[0], opts: Parameters<typeof startEngine>[1] = {}) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const ws = await RawWebSocket.connect(fx.wsBase);
  t.after(() => ws.close());
  const open = parseOpen(String(await ws.next()));
  const [socket] = await connected;
  return { ...fx, ws, open, socket };
}

test("the 101 answer and the open packet leave in one write; so do the packets of one turn", async (t) => {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000 });
  // every write of the server's side of the connection, as the number of chunks it carried
  const writes: number[] = [];
  fx.http.on("connection", (sock: NetSocket) => {
    const raw = sock as NetSocket & WriteMethods;
    const write = raw._write.bind(raw);
    const writev = raw._writev.bind(raw);
    raw._write = (chunk, encoding, cb) => {
      writes.push(1);
      write(chunk, encoding, cb);
    };
    raw._writev = (chunks, cb) => {
      writes.push(chunks.length);
      writev(chunks, cb);
    };
  });
  const connected = once<[Socket]>(fx.engine, "connection");
  const ws = await RawWebSocket.connect(fx.wsBase);
  t.after(() => ws.close());
  parseOpen(String(await ws.next()));
  const [socket] = await connected;
  assert.deepEqual(writes, [2], "the 101 answer and the open frame, together");
  for (let i = 0; i < 10; i++) socket.send(`m${i}`);
  for (let i = 0; i < 10; i++) assert.equal(await ws.next(), `4m${i}`);
  assert.deepEqual(writes, [2, 1], "ten packets of one turn, one write of one buffer");
});

test("in one turn, text, binary and large prepared frames arrive in the order sent, and before a close", async (t) => {
  const { ws, socket } = await wsSession(t);
  const big = "x".repeat(20 * 1024); // over the 16 KiB a prepared frame is copied into one buffer
  socket.send("a");
  socket.send(Buffer.from([1, 2]));
  socket.send("b");
  socket.send("ignored", { prepared: PreparedMessage.fromSocketIoText(big) });
  socket.send("ignored", { prepared: PreparedMessage.fromSocketIoText("small") });
  socket.send("c");
  socket.close();
  assert.equal(await ws.next(), "4a");
  assert.deepEqual(await ws.next(), Buffer.from([1, 2]));
  assert.equal(await ws.next(), "4b");
  assert.equal(await ws.next(), "4" + big);
  assert.equal(await ws.next(), "4small");
  assert.equal(await ws.next(), "4c");
  const { code } = await ws.closed;
  assert.equal(code, 1005);
});

test("a turn's batch takes maxBufferedPackets packets, then the buffer its own: the next one closes the session", async (t) => {
  const { ws, socket } = await wsSession(t, { maxBufferedPackets: 3 });
  const closed = once<[string, Error?]>(socket, "close");
  for (let i = 1; i <= 6; i++) socket.send(`m${i}`);
  assert.equal(socket.readyState, "open", "3 in the batch, 3 in the buffer");
  socket.send("m7");
  const [reason, description] = await closed;
  assert.equal(reason, "transport error");
  assert.equal((description as Error & { code?: string }).code, "SKT_ERR_ENGINE_BUFFER_FULL");
  // what the batch held still left, before the connection closed
  for (let i = 1; i <= 3; i++) assert.equal(await ws.next(), `4m${i}`);
  await ws.closed;
});

test("a WebSocket-only handshake opens a session with no upgrades", async (t) => {
  const { open, socket, engine } = await wsSession(t);
  assert.deepEqual(open.upgrades, []);
  assert.equal(socket.id, open.sid);
  assert.equal(socket.transport.name, "websocket");
  assert.equal(socket.transport.writable, true);
  assert.equal(socket.protocol, 4);
  assert.equal(socket.remoteAddress, "127.0.0.1");
  assert.equal(socket.readyState, "open");
  assert.equal(socket.upgraded, false);
  assert.equal(engine.clientsCount, 1);
});

test("exchanges text and binary frames both ways", async (t) => {
  const { ws, socket } = await wsSession(t);
  const got = new Promise<unknown[]>((resolve) => {
    const all: unknown[] = [];
    socket.on("message", (d) => {
      all.push(d);
      if (all.length === 2) resolve(all);
    });
  });
  ws.send("4hé");
  ws.send(Buffer.from([1, 2, 3]));
  assert.deepEqual(await got, ["hé", Buffer.from([1, 2, 3])]);
  socket.send("back");
  socket.send(Buffer.from([9, 8]));
  socket.send(new Uint8Array([5]).buffer);
  assert.equal(await ws.next(), "4back");
  assert.deepEqual(await ws.next(), Buffer.from([9, 8]));
  assert.deepEqual(await ws.next(), Buffer.from([5]));
});

test("sends a wsPreEncoded packet as-is and calls the send callback", async (t) => {
  const { ws, socket } = await wsSession(t);
  const sent = new Promise<void>((resolve) => socket.send("ignored", { wsPreEncoded: "4pre-encoded" }, resolve));
  assert.equal(await ws.next(), "4pre-encoded");
  await sent;
});

test("drops a volatile packet while the transport is not writable", async (t) => {
  const { ws, socket } = await wsSession(t);
  socket.send("first");
  assert.equal(socket.transport.writable, false);
  socket.send("lost", { volatile: true });
  socket.send("second");
  assert.equal(await ws.next(), "4first");
  assert.equal(await ws.next(), "4second");
  socket.send("third", { volatile: true });
  assert.equal(await ws.next(), "4third");
});

test("an undecodable frame closes the session with parse error", async (t) => {
  const { ws, socket } = await wsSession(t);
  const closed = once<[string]>(socket, "close");
  ws.send("9what");
  assert.equal((await closed)[0], "parse error");
  await ws.closed;
});

test("closing the WebSocket from the client closes the session with transport close", async (t) => {
  const { ws, socket, engine } = await wsSession(t);
  const closed = once<[string]>(socket, "close");
  ws.ws.close();
  assert.equal((await closed)[0], "transport close");
  assert.equal(engine.clientsCount, 0);
});

test("socket.close() closes the WebSocket with forced close", async (t) => {
  const { ws, socket } = await wsSession(t);
  const closed = once<[string]>(socket, "close");
  socket.close();
  assert.equal((await closed)[0], "forced close");
  const { code } = await ws.closed;
  assert.equal(code, 1005);
});

test("negotiates permessage-deflate only when perMessageDeflate is set", async (t) => {
  const on = await wsSession(t, { perMessageDeflate: { threshold: 0 } });
  assert.match(on.ws.ws.extensions, /permessage-deflate/);
  on.socket.send("z".repeat(2000));
  assert.equal(await on.ws.next(), "4" + "z".repeat(2000));
  const off = await wsSession(t);
  assert.equal(off.ws.ws.extensions, "");
});
