/**
 * @module test/compat/connect — the official socket.io-client connects over polling, WebSocket
 * and the upgrade; the Server's construction and attachment forms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { io as ioc } from "socket.io-client";
import { Server, type Socket } from "../../core/index.js";
import { listen, closeServer } from "../helpers/listen.js";
import { withTimeout } from "../helpers/wait.js";
import { setup, TRANSPORT_MODES, waitFor } from "./support.js";

for (const mode of TRANSPORT_MODES) {
  test(`connects and exchanges events over ${mode.name}`, async (t) => {
    const { io, connect } = await setup(t);
    const serverSocket = waitFor<[Socket]>(io, "connection");
    const c = await connect("/", { transports: mode.transports });
    const [socket] = await serverSocket;
    if (mode.upgrade && c.io.engine.transport.name !== "websocket") await waitFor(c.io.engine, "upgrade");
    assert.equal(c.io.engine.transport.name, mode.upgrade ? "websocket" : mode.transports[0]);
    assert.equal(socket.id, c.id);
    const got = waitFor(c, "pong");
    socket.on("ping", (n: number) => socket.emit("pong", n + 1));
    c.emit("ping", 41);
    assert.deepEqual(await got, [42]);
  });
}

test("gives each socket a 20-character unique id, a handshake and its own room", async (t) => {
  const { io, connect } = await setup(t);
  const sockets: Socket[] = [];
  io.on("connection", (s) => sockets.push(s));
  await connect("/", { query: { a: "1" }, auth: { token: "x" }, extraHeaders: { "x-test": "yes" }, transports: ["polling"] });
  await connect("/");
  assert.equal(sockets.length, 2);
  const [s1, s2] = sockets as [Socket, Socket];
  assert.match(s1.id, /^[A-Za-z0-9_-]{20}$/);
  assert.notEqual(s1.id, s2.id);
  assert.equal(s1.handshake.query.a, "1");
  assert.deepEqual(s1.handshake.auth, { token: "x" });
  assert.equal(s1.handshake.headers["x-test"], "yes");
  assert.equal(typeof s1.handshake.issued, "number");
  assert.equal(typeof s1.handshake.time, "string");
  assert.equal(s1.handshake.secure, false);
  assert.equal(typeof s1.handshake.xdomain, "boolean");
  assert.match(s1.handshake.address, /127\.0\.0\.1/);
  assert.ok(s1.handshake.url.startsWith("/socket.io/"));
  assert.deepEqual([...s1.rooms], [s1.id]);
  assert.equal(s1.connected, true);
  assert.equal(s1.disconnected, false);
  assert.equal(s1.recovered, false);
  assert.equal(s1.conn.id, s1.client.conn.id);
  assert.equal(s1.request, s1.conn.request);
  assert.equal(s1.nsp, io.sockets);
  assert.deepEqual(s1.data, {});
});

test("creates the engine eagerly and serves requests handed to handleRequest/handleUpgrade", async (t) => {
  const io = new Server({ serveClient: false });
  assert.ok(io.engine);
  const http = createServer((req, res) => io.handleRequest(req, res));
  http.on("upgrade", (req, socket, head) => io.handleUpgrade(req, socket, head));
  const { url } = await listen(t, undefined, http);
  const connected = waitFor(io, "connection");
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["polling", "websocket"] });
  await waitFor(c, "connect");
  await connected;
  c.disconnect();
  await io.close();
  assert.equal(http.listening, true, "io.close() leaves a server it was only handed requests from");
});

test("io.close() disconnects sockets with 'server shutting down' and closes the attached server", async () => {
  const http = createServer();
  const { url } = await listen(undefined, undefined, http);
  const io = new Server(http);
  const connected = waitFor<[Socket]>(io, "connection");
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  const [socket] = await connected;
  const reason = waitFor(socket, "disconnect");
  await io.close();
  assert.deepEqual((await reason).slice(0, 1), ["server shutting down"]);
  assert.equal(http.listening, false);
  c.disconnect();
});

test("new Server(port) listens at once and io.listen/attach accept a port", async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const port = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  const io = new Server(port);
  assert.ok(io.httpServer);
  await waitFor(io.httpServer!, "listening");
  const c = ioc(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ["websocket"] });
  await waitFor(c, "connect");
  c.disconnect();
  await io.close();
  assert.equal(io.httpServer!.listening, false);
});

test("the CommonJS entry is callable", async () => {
  const require = createRequire(import.meta.url);
  const socketeer = require("../../core/cjs.cts") as ((...a: unknown[]) => Server) & { Server: typeof Server };
  const io = socketeer({ serveClient: false });
  assert.ok(io instanceof socketeer.Server);
  await io.close();
});

test("serves the client bundle with an ETag and answers 304 to If-None-Match", async (t) => {
  const { port } = await setup(t);
  const get = (headers: Record<string, string> = {}) =>
    withTimeout(
      new Promise<{ status: number; etag: string | undefined; body: string }>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/socket.io/socket.io.js", headers }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode!, etag: res.headers.etag, body }));
        });
        req.on("error", reject);
        req.end();
      }),
    );
  const first = await get();
  assert.equal(first.status, 200);
  assert.ok(first.etag);
  assert.ok(first.body.length > 1000);
  const second = await get({ "If-None-Match": first.etag! });
  assert.equal(second.status, 304);
});

test("serveClient: false leaves the bundle path to the engine (400), not the host (as socket.io)", async (t) => {
  const { server, port } = await listen(t, (_req, res) => res.writeHead(404).end());
  const io = new Server(server, { serveClient: false });
  t.after(() => io.close());
  const status = await withTimeout(
    new Promise<number>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/socket.io/socket.io.js", agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on("error", reject).end();
    }),
  );
  assert.equal(status, 400);
});
