/**
 * @module test/bench/raw-websocket — the load generator's minimal WebSocket client against a
 * real `ws` server: handshake, masked frames out, every payload-length form in, fragments,
 * several frames per chunk, ping, close.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { RawWebSocket } from "../../bench/load/raw-websocket.js";
import { listen } from "../helpers/listen.js";
import { deferred, once, until, withTimeout } from "../helpers/wait.js";

test("RawWebSocket talks to a ws server: lengths, fragments, batches, ping and close", async (t) => {
  const { server, port } = await listen(t);
  const wss = new WebSocketServer({ server });
  t.after(() => new Promise<void>((r) => wss.close(() => r())));
  const serverSide = deferred<WebSocket>();
  const fromClient: string[] = [];
  wss.on("connection", (ws) => {
    ws.on("message", (d) => fromClient.push(String(d)));
    serverSide.resolve(ws);
  });

  const got: string[] = [];
  const raw = new RawWebSocket("127.0.0.1", port, "/path?x=1", (d) => got.push(d.toString()));
  await withTimeout(raw.opened, 5_000, "upgrade");
  const ws = await withTimeout(serverSide.promise, 5_000, "server connection");

  const medium = "m".repeat(300);
  const large = "L".repeat(70_000);
  raw.send("hello");
  raw.send(medium);
  raw.send(large);
  await until(() => fromClient.length === 3, 5_000, "client frames");
  assert.deepEqual(fromClient, ["hello", medium, large], "masked client frames of each length form decode");

  ws.send("a");
  ws.send(medium);
  ws.send(large);
  ws.send("frag-", { fin: false });
  ws.send("ment", { fin: true });
  ws.ping();
  const pong = once(ws, "pong");
  await until(() => got.length === 4, 5_000, "server frames");
  assert.deepEqual(got, ["a", medium, large, "frag-ment"]);
  await pong;

  const closed = deferred();
  raw.onClose(() => closed.resolve());
  const serverClosed = once<[number]>(ws, "close");
  raw.close();
  const [code] = await serverClosed;
  assert.equal(code, 1000);
  await withTimeout(closed.promise, 5_000, "client close");
});

test("RawWebSocket rejects when the server refuses the upgrade", async (t) => {
  const { port } = await listen(t, (_req, res) => {
    res.writeHead(400).end("no");
  });
  const raw = new RawWebSocket("127.0.0.1", port, "/", () => undefined);
  await assert.rejects(raw.opened, /upgrade refused: HTTP\/1.1 400/);
});
