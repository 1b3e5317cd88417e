/**
 * @module test/integrations/express.test — the Express helper with real Express 5 and 4 apps and
 * the official socket.io-client: app.listen(), explicit servers, middleware on the handshake and
 * the upgrade, express-session, unrelated routes and upgrades, shutdown.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { test, type TestContext } from "node:test";
import express5 from "express";
import session from "express-session";
import { WebSocket, WebSocketServer } from "ws";
import type { Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../core/index.js";
import { handshakeOnly, socketeer, type ExpressApp } from "../../integrations/express/index.js";
import { closeServer } from "../helpers/listen.js";
import { client, connected, refused, statusOf } from "../helpers/client.js";
import { once, withTimeout } from "../helpers/wait.js";

declare module "express-session" {
  interface SessionData {
    user: string;
    count: number;
  }
}

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;
const FLAVOURS = [
  ["Express 5", express5],
  ["Express 4", express4],
] as const;


/** Resolves with the next `event` of any emitter (socket.io-client's included), or fails after 5 s. */
function nextEvent<T extends unknown[] = unknown[]>(emitter: object, event: string): Promise<T> {
  return once<T>(emitter as Parameters<typeof once>[0], event, 5_000);
}

function listening(server: HttpServer, t: TestContext): Promise<string> {
  t.after(() => closeServer(server));
  return new Promise((resolve) => {
    const done = () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (server.listening) done();
    else server.once("listening", done);
  });
}

async function allTransports(t: TestContext, url: string): Promise<ClientSocket[]> {
  const polling = client(t, url, { transports: ["polling"] });
  const ws = client(t, url, { transports: ["websocket"] });
  const upgrading = client(t, url);
  await Promise.all([connected(polling), connected(ws), connected(upgrading), nextEvent(upgrading.io.engine, "upgrade")]);
  assert.equal(polling.io.engine.transport.name, "polling");
  assert.equal(ws.io.engine.transport.name, "websocket");
  assert.equal(upgrading.io.engine.transport.name, "websocket");
  return [polling, ws, upgrading];
}

for (const [flavour, express] of FLAVOURS) {
  test(`${flavour}: app.listen() serves polling, websocket and the upgrade`, async (t) => {
    const app = express();
    const io = socketeer(app);
    t.after(() => io.close());
    io.on("connection", (socket) => socket.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)));
    const url = await listening(app.listen(0, "127.0.0.1"), t);
    for (const socket of await allTransports(t, url)) {
      assert.equal(await socket.timeout(5_000).emitWithAck("echo", "hi"), "hi");
    }
  });

  test(`${flavour}: an explicit http.Server works, attached before or after it listens`, async (t) => {
    for (const when of ["before", "after"] as const) {
      const app = express();
      const io = socketeer(app);
      t.after(() => io.close());
      io.on("connection", (socket) => socket.emit("hi", when));
      const server = createServer(app);
      if (when === "before") io.attach(server);
      const url = await listening(server.listen(0, "127.0.0.1"), t);
      if (when === "after") io.attach(server);
      const socket = client(t, url, { transports: ["websocket"] });
      const [got] = await nextEvent<[string]>(socket, "hi");
      assert.equal(got, when);
    }
  });

  test(`${flavour}: a middleware answering 401 refuses the handshake on both transports`, async (t) => {
    const app = express();
    app.use((req, res, next) => {
      if (req.headers.authorization === "Bearer ok") return next();
      res.status(401).json({ error: "unauthorized" });
    });
    const io = socketeer(app);
    t.after(() => io.close());
    let connections = 0;
    io.on("connection", () => connections++);
    const url = await listening(app.listen(0, "127.0.0.1"), t);
    assert.equal(statusOf(await refused(client(t, url, { transports: ["polling"] }))), "401");
    assert.match(statusOf(await refused(client(t, url, { transports: ["websocket"] }))), /401/);
    await connected(client(t, url, { transports: ["websocket"], extraHeaders: { authorization: "Bearer ok" } }));
    assert.equal(connections, 1);
  });

  test(`${flavour}: express-session is visible on the socket and saved changes persist`, async (t) => {
    const app = express();
    app.use(session({ secret: "test secret", resave: false, saveUninitialized: false }));
    app.get("/login", (req, res) => {
      req.session.user = "bob";
      req.session.count = 0;
      res.end("ok");
    });
    app.get("/count", (req, res) => {
      res.json({ user: req.session.user, count: req.session.count });
    });
    const io = socketeer(app);
    t.after(() => io.close());
    io.on("connection", (socket) => {
      socket.emit("whoami", socket.request.session.user);
      socket.on("incr", (ack: (n: number) => void) => {
        const s = socket.request.session;
        s.count = (s.count ?? 0) + 1;
        s.save(() => ack(s.count ?? -1));
      });
    });
    const url = await listening(app.listen(0, "127.0.0.1"), t);
    const login = await fetch(`${url}/login`);
    const cookie = login.headers.get("set-cookie")?.split(";")[0];
    assert.ok(cookie, "a session cookie was set");
    for (const transports of [["polling"], ["websocket"]]) {
      const socket = client(t, url, { transports, extraHeaders: { cookie } });
      const [user] = await nextEvent<[string]>(socket, "whoami");
      assert.equal(user, "bob");
      await socket.timeout(5_000).emitWithAck("incr");
    }
    const after = (await (await fetch(`${url}/count`, { headers: { cookie } })).json()) as { user: string; count: number };
    assert.deepEqual(after, { user: "bob", count: 2 });
  });

  test(`${flavour}: unrelated routes and another ws server on another path keep working`, async (t) => {
    const app = express();
    app.get("/hello", (_req, res) => void res.send("world"));
    const io = socketeer(app);
    t.after(() => io.close());
    io.on("connection", (socket) => socket.emit("hi"));
    const server = app.listen(0, "127.0.0.1");
    const wss = new WebSocketServer({ noServer: true });
    t.after(() => wss.close());
    server.on("upgrade", (req, socket, head) => {
      if (req.url !== "/other") return;
      wss.handleUpgrade(req, socket, head, (ws) => ws.send("from the other server"));
    });
    // registered before the server's own cleanup: server.close() waits for this connection
    let other: WebSocket | undefined;
    t.after(() => other?.terminate());
    const url = await listening(server, t);
    assert.equal(await (await fetch(`${url}/hello`)).text(), "world");
    other = new WebSocket(`${url.replace("http", "ws")}/other`);
    const [message] = await nextEvent<[Buffer]>(other, "message");
    assert.equal(message.toString(), "from the other server");
    const socket = client(t, url, { transports: ["websocket"] });
    await nextEvent(socket, "hi");
    assert.ok(socket.connected);
  });
}

test("handshakeOnly runs a middleware on the handshake only", async (t) => {
  const app = express5();
  let everyRequest = 0;
  let handshakes = 0;
  app.use((req, _res, next) => {
    if (req.originalUrl.startsWith("/socket.io/")) everyRequest++;
    next();
  });
  app.use(
    handshakeOnly((req: express5.Request, _res: express5.Response, next: express5.NextFunction) => {
      if (req.originalUrl.startsWith("/socket.io/")) handshakes++;
      next();
    }),
  );
  const io = socketeer(app);
  t.after(() => io.close());
  let engineHandshakes = 0;
  // typed for Express, accepted by io.engine.use() too
  io.engine.use(
    handshakeOnly((_req: express5.Request, _res: express5.Response, next: express5.NextFunction) => {
      engineHandshakes++;
      next();
    }),
  );
  const url = await listening(app.listen(0, "127.0.0.1"), t);
  const socket = client(t, url);
  await Promise.all([connected(socket), nextEvent(socket.io.engine, "upgrade")]);
  assert.ok(everyRequest >= 3, `every request ran the plain middleware (${everyRequest})`);
  assert.equal(handshakes, 1);
  assert.equal(engineHandshakes, 1);
});

test("io.engine.use() middleware can refuse with 403 on both transports", async (t) => {
  const app = express5();
  const io = socketeer(app);
  t.after(() => io.close());
  io.engine.use((req, res, next) => {
    if (req.headers["x-token"] === "yes") return next();
    res.writeHead(403);
    res.end();
  });
  const url = await listening(app.listen(0, "127.0.0.1"), t);
  assert.equal(statusOf(await refused(client(t, url, { transports: ["polling"] }))), "403");
  assert.match(statusOf(await refused(client(t, url, { transports: ["websocket"] }))), /403/);
  await connected(client(t, url, { extraHeaders: { "x-token": "yes" } }));
});

test("mount: false lets the app place io.express() after its own middleware", async (t) => {
  const app = express5();
  const io = socketeer(app, { mount: false });
  t.after(() => io.close());
  const order: string[] = [];
  app.use((_req, _res, next) => {
    order.push("before");
    next();
  });
  app.use(io.express());
  io.on("connection", () => order.push("connection"));
  const url = await listening(app.listen(0, "127.0.0.1"), t);
  await connected(client(t, url, { transports: ["websocket"] }));
  assert.deepEqual(order.slice(0, 2), ["before", "connection"]);
});

test("io.close() then server.close() disconnects sockets with 'server shutting down' and does not hang", async (t) => {
  const app = express5();
  const io = socketeer(app);
  const reasons: string[] = [];
  io.on("connection", (socket) => socket.on("disconnect", (reason) => reasons.push(reason)));
  const server = app.listen(0, "127.0.0.1");
  const url = await listening(server, t);
  const sockets = [client(t, url, { transports: ["polling"] }), client(t, url, { transports: ["websocket"] }), client(t, url)];
  await Promise.all(sockets.map(connected));
  const clientSide = sockets.map((s) => nextEvent(s, "disconnect"));
  await io.close();
  await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5_000, "server.close()");
  assert.deepEqual(reasons, ["server shutting down", "server shutting down", "server shutting down"]);
  await Promise.all(clientSide);
});

test("socketeer() composes a plain Server and changes no user object but app.listen", async (t) => {
  const app = express5();
  const ownListen = app.listen;
  const io = socketeer(app);
  t.after(() => io.close());
  assert.equal(Object.getPrototypeOf(io), Server.prototype, "a Server, not a subclass");
  assert.notEqual(app.listen, ownListen, "app.listen is the one documented change (docs/express.md)");
  const server = app.listen(0, "127.0.0.1");
  const url = await listening(server, t);
  assert.equal(server.close, HttpServer.prototype.close, "server.close is node's own");
  const explicit = createServer(app);
  io.attach(explicit);
  assert.equal(explicit.close, HttpServer.prototype.close);
  assert.equal(explicit.listen, HttpServer.prototype.listen);
  await connected(client(t, url, { transports: ["websocket"] }));
});

test("io.attach(server, opts) honours its options and io.express() follows the new path", async (t) => {
  const app = express5();
  const seen: string[] = [];
  app.use((req, _res, next) => {
    seen.push(req.path.split("/")[1] ?? "");
    next();
  });
  const io = socketeer(app);
  t.after(() => io.close());
  const server = createServer(app);
  io.attach(server, { path: "/realtime" });
  assert.equal(io.path(), "/realtime");
  const url = await listening(server.listen(0, "127.0.0.1"), t);
  for (const transports of [["polling"], ["websocket"]]) {
    await connected(client(t, url, { transports, path: "/realtime" }));
  }
  assert.ok(seen.includes("realtime"), "the requests went through the app's chain");
  assert.equal((await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).status, 404, "the old path is the app's again");
});

test("io.close() disconnects every socket and leaves the HTTP server open", async (t) => {
  const app = express5();
  app.get("/hello", (_req, res) => void res.send("world"));
  const io = socketeer(app);
  const reasons: string[] = [];
  io.on("connection", (socket) => socket.on("disconnect", (reason) => reasons.push(reason)));
  const server = app.listen(0, "127.0.0.1");
  const url = await listening(server, t);
  await connected(client(t, url, { transports: ["websocket"] }));
  await io.close();
  assert.deepEqual(reasons, ["server shutting down"]);
  assert.equal(server.listening, true);
  assert.equal(await (await fetch(`${url}/hello`)).text(), "world");
});

/** A throw-away self-signed certificate, made with openssl; undefined when openssl is missing. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "skt-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an https server works over polling and websocket", async (t) => {
  const tls = selfSigned();
  if (tls === undefined) return t.skip("openssl is not available to make a test certificate");
  const app = express5();
  const io = socketeer(app);
  t.after(() => io.close());
  io.on("connection", (socket) => socket.emit("hi", socket.handshake.secure));
  const server = createHttpsServer(tls, app);
  io.attach(server as unknown as HttpServer);
  const url = (await listening(server.listen(0, "127.0.0.1") as unknown as HttpServer, t)).replace("http:", "https:");
  for (const transports of [["polling"], ["websocket"]]) {
    const socket = client(t, url, { transports, rejectUnauthorized: false });
    const [secure] = await nextEvent<[boolean]>(socket, "hi");
    assert.equal(secure, true, transports[0]);
  }
});

test("attaching twice to the same server keeps one route to it (the second replaces the first)", async (t) => {
  const app = express5();
  const io = socketeer(app);
  t.after(() => io.close());
  io.on("connection", (socket) => socket.emit("hi"));
  const server = createServer(app);
  io.attach(server);
  io.attach(server);
  assert.equal(server.listenerCount("upgrade"), 1);
  assert.equal(server.listenerCount("request"), 1);
  const url = await listening(server.listen(0, "127.0.0.1"), t);
  await nextEvent(client(t, url, { transports: ["websocket"] }), "hi");
});

test("socketeer() rejects what is not an Express app", () => {
  assert.throws(() => socketeer({} as unknown as ExpressApp), { code: "SKT_ERR_INVALID_ARG" });
});
