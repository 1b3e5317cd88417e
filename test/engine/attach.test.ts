import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { Server, listen as engineListen } from "../../core/engine/index.js";
import { rawRequest, RawWebSocket } from "../helpers/raw-engine-client.js";
import { listen } from "../helpers/listen.js";
import { once } from "../helpers/wait.js";

test("new Server() never listens, and handleRequest works without attach", async (t) => {
  const engine = new Server();
  t.after(() => engine.close());
  const { url } = await listen(t, (req, res) => {
    if (engine.isEngineRequest(req)) engine.handleRequest(req, res);
    else res.writeHead(404).end();
  });
  const res = await rawRequest(`${url}/engine.io/?EIO=4&transport=polling`);
  assert.equal(res.status, 200);
  assert.match(res.body, /^0\{/);
});

test("handleUpgrade works without attach", async (t) => {
  const engine = new Server();
  t.after(() => engine.close());
  const http = createServer();
  http.on("upgrade", (req, socket, head) => engine.handleUpgrade(req, socket, head));
  const { port } = await listen(t, undefined, http);
  const ws = await RawWebSocket.connect(`ws://127.0.0.1:${port}/engine.io/`);
  assert.match(String(await ws.next()), /^0\{/);
  ws.close();
});

test("attach leaves other requests and upgrades to the host, and detach restores it", async (t) => {
  const http = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/plain" }).end("host"));
  const hostWss = new WebSocketServer({ noServer: true });
  t.after(() => hostWss.close());
  http.on("upgrade", (req, socket, head) => {
    if (req.url === "/host-ws") hostWss.handleUpgrade(req, socket, head, (ws) => ws.send("from host"));
    else socket.destroy();
  });
  const { url, port } = await listen(t, undefined, http);
  const engine = new Server();
  t.after(() => engine.close());
  const detach = engine.attach(http);

  assert.equal((await rawRequest(`${url}/other`)).body, "host");
  const eio = await rawRequest(`${url}/engine.io/?EIO=4&transport=polling`);
  assert.match(eio.body, /^0\{/);
  const hostWs = new WebSocket(`ws://127.0.0.1:${port}/host-ws`);
  const [msg] = await once<[Buffer]>(hostWs, "message");
  assert.equal(msg.toString(), "from host");
  hostWs.close();
  const ws = await RawWebSocket.connect(`ws://127.0.0.1:${port}/engine.io/`);
  assert.match(String(await ws.next()), /^0\{/);
  ws.close();

  detach();
  assert.equal((await rawRequest(`${url}/engine.io/?EIO=4&transport=polling`)).body, "host");
  assert.equal(http.listenerCount("request"), 1);
  assert.equal(http.listenerCount("upgrade"), 1);
});

test("an upgrade for another path is destroyed when the host has no upgrade listener", async (t) => {
  const http = createServer((_req, res) => res.end("host"));
  const { port } = await listen(t, undefined, http);
  const engine = new Server();
  t.after(() => engine.close());
  engine.attach(http);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/elsewhere`);
  const [err] = await once<[Error]>(ws, "error");
  assert.ok(err instanceof Error);
});

test("refuses a second engine on the same path of one server", async (t) => {
  const http = createServer();
  const a = new Server();
  const b = new Server();
  t.after(() => {
    a.close();
    b.close();
  });
  const detach = a.attach(http);
  assert.throws(() => b.attach(http), { code: "SKT_ERR_ENGINE_ALREADY_ATTACHED" });
  b.attach(http, { path: "/other" });
  detach();
  b.attach(http);
});

test("listen(port) serves the engine, answers 501 elsewhere, and close() releases the port", async () => {
  const engine = engineListen(0, { path: "/rt" });
  const http = (engine as unknown as { httpServer: import("node:http").Server }).httpServer;
  await once(http, "listening");
  const { port } = http.address() as AddressInfo;
  assert.equal((await rawRequest(`http://127.0.0.1:${port}/nope`)).status, 501);
  assert.match((await rawRequest(`http://127.0.0.1:${port}/rt/?EIO=4&transport=polling`)).body, /^0\{/);
  engine.close();
  await once(http, "close");
  assert.equal(engine.clientsCount, 0);
});

test("a closed engine answers 503 to polling requests and refuses to attach", async (t) => {
  const engine = new Server();
  const { url, server } = await listen(t);
  engine.attach(server);
  engine.close();
  const res = await rawRequest(`${url}/engine.io/?EIO=4&transport=polling`);
  assert.equal(res.status, 503);
  assert.throws(() => engine.attach(createServer()), { code: "SKT_ERR_ENGINE_CLOSED" });
});
