/**
 * @module test/integrations/fastify.test — the Fastify plugin with a real Fastify 5 app and the
 * official socket.io-client: transports, hooks on the handshake and the upgrade, encapsulation,
 * dual-stack bindings, CORS, inject, lifecycle.
 */
import assert from "node:assert/strict";
import dns from "node:dns";
import { test, type TestContext } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import cors from "@fastify/cors";
import socketeer, { fastifyRequest, socketeer as named } from "../../integrations/fastify/index.js";
import { Server } from "../../core/index.js";
import { client, connected, refused, statusOf } from "../helpers/client.js";
import { once, withTimeout } from "../helpers/wait.js";

declare module "fastify" {
  interface FastifyRequest {
    user: string | null;
  }
}


/** Resolves with the next `event` of any emitter (socket.io-client's included), or fails after 5 s. */
function nextEvent<T extends unknown[] = unknown[]>(emitter: object, event: string): Promise<T> {
  return once<T>(emitter as Parameters<typeof once>[0], event, 5_000);
}

async function start(t: TestContext, setup?: (app: FastifyInstance) => void | Promise<void>, opts = {}) {
  const app = Fastify();
  t.after(() => app.close());
  if (setup) await setup(app);
  await app.register(socketeer, opts);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, port };
}

test("the default export and the named export are the same fastify-plugin", () => {
  assert.equal(socketeer, named);
  const meta = (socketeer as unknown as Record<symbol, unknown>)[Symbol.for("plugin-meta")] as { name: string; fastify: string };
  assert.equal(meta.name, "socketeer");
  assert.equal(meta.fastify, "5.x");
});

test("app.io is a Server, visible to the whole app", async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer);
  let seen: unknown;
  await app.register(async (child) => {
    seen = child.io;
  });
  assert.ok(app.io instanceof Server);
  assert.equal(seen, app.io);
});

test("connects over polling, over websocket, and upgrades polling to websocket", async (t) => {
  const { app, url } = await start(t);
  app.io.on("connection", (socket) => {
    socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
  });
  const polling = client(t, url, { transports: ["polling"] });
  const ws = client(t, url, { transports: ["websocket"] });
  const upgrading = client(t, url);
  const upgraded = nextEvent(upgrading.io.engine, "upgrade");
  await Promise.all([connected(polling), connected(ws), connected(upgrading), upgraded]);
  assert.equal(polling.io.engine.transport.name, "polling");
  assert.equal(ws.io.engine.transport.name, "websocket");
  assert.equal(upgrading.io.engine.transport.name, "websocket");
  for (const s of [polling, ws, upgrading]) assert.equal(await s.timeout(5_000).emitWithAck("echo", 42), 42);
});

test("a hook replying 401 refuses the handshake with a real HTTP 401 on both transports", async (t) => {
  let connections = 0;
  const { app, url } = await start(t, (a) => {
    a.addHook("onRequest", async (req, reply) => {
      if (req.headers.authorization !== "Bearer ok") return reply.code(401).send({ error: "unauthorized" });
    });
  });
  app.io.on("connection", () => connections++);
  const polling = await refused(client(t, url, { transports: ["polling"] }));
  assert.equal(statusOf(polling), "401");
  const ws = await refused(client(t, url, { transports: ["websocket"] }));
  assert.match(statusOf(ws), /401/);
  const ok = client(t, url, { transports: ["websocket"], extraHeaders: { authorization: "Bearer ok" } });
  await connected(ok);
  assert.equal(connections, 1);
});

test("an accepting hook passes its user to the socket, on polling and on websocket", async (t) => {
  const { app, url } = await start(t, (a) => {
    a.decorateRequest("user", null);
    a.addHook("preHandler", async (req) => {
      req.user = String((req.query as Record<string, string>).name ?? "anonymous");
    });
  });
  app.io.on("connection", (socket) => {
    socket.emit("you", fastifyRequest(socket)?.user);
  });
  for (const transports of [["polling"], ["websocket"]]) {
    const socket = client(t, url, { transports, query: { name: `alice-${transports[0]}` } });
    const [user] = await nextEvent<[string]>(socket, "you");
    assert.equal(user, `alice-${transports[0]}`);
  }
});

test("hooks of the registering context run on polling and on the upgrade; another context's do not", async (t) => {
  const seen: string[] = [];
  let foreign = 0;
  const { app, url } = await start(t, async (a) => {
    a.addHook("onRequest", async (req) => {
      if (req.url.startsWith("/socket.io/")) seen.push(req.headers.upgrade ? "upgrade" : req.method);
    });
    await a.register(async (other) => {
      other.addHook("onRequest", async () => {
        foreign++;
      });
      other.get("/other", async () => "other");
    });
  });
  const socket = client(t, url);
  await Promise.all([connected(socket), nextEvent(socket.io.engine, "upgrade")]);
  assert.ok(seen.includes("GET"), "polling GET went through the hook");
  assert.ok(seen.includes("upgrade"), "the upgrade went through the hook");
  assert.equal(foreign, 0);
  assert.equal((await app.inject({ url: "/other" })).body, "other");
  assert.equal(foreign, 1);
});

test("works on every address localhost resolves to (secondary IPv6 binding)", async (t) => {
  //
  // Make `localhost` resolve to 127.0.0.1 and ::1 so Fastify opens a secondary server, as it does
  // on most machines (ducktors/fastify-socket.io#27).
  //
  const lookup = dns.lookup;
  const patched = ((host: string, options: unknown, cb: unknown) => {
    if (host === "localhost" && typeof options === "object" && (options as { all?: boolean }).all) {
      (cb as (e: null, a: dns.LookupAddress[]) => void)(null, [
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ]);
      return;
    }
    return (lookup as (...a: unknown[]) => unknown)(host, options, cb);
  }) as typeof dns.lookup;
  dns.lookup = patched;
  t.after(() => {
    dns.lookup = lookup;
  });
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer);
  app.io.on("connection", (socket) => socket.emit("hi"));
  await app.listen({ port: 0, host: "localhost" });
  const families = app.addresses().map((a) => (a as { family: string }).family).sort();
  assert.deepEqual(families, ["IPv4", "IPv6"]);
  const { port } = app.server.address() as { port: number };
  for (const host of ["127.0.0.1", "[::1]"]) {
    for (const transports of [["polling"], ["websocket"]]) {
      const socket = client(t, `http://${host}:${port}`, { transports });
      await nextEvent(socket, "hi");
      assert.ok(socket.connected, `${host} over ${transports[0]}`);
    }
  }
});

test("@fastify/cors applies to the polling requests", async (t) => {
  const { url } = await start(t, async (a) => {
    await a.register(cors, { origin: "https://example.com" });
  });
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://example.com" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), "https://example.com");
  assert.match(await res.text(), /^0\{"sid"/);
});

test("the cors option answers preflight and sets headers", async (t) => {
  const { url } = await start(t, undefined, { cors: { origin: "https://example.com" } });
  const pre = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
    method: "OPTIONS",
    headers: { origin: "https://example.com", "access-control-request-method": "POST" },
  });
  assert.ok(pre.status === 204 || pre.status === 200, `preflight status ${pre.status}`);
  assert.equal(pre.headers.get("access-control-allow-origin"), "https://example.com");
  const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://example.com" } });
  assert.equal(res.headers.get("access-control-allow-origin"), "https://example.com");
});

test("app.inject() reaches the handshake", async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer);
  const res = await app.inject({ method: "GET", url: "/socket.io/?EIO=4&transport=polling" });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /^0\{"sid":"[^"]+"/);
});

test("app.ready() before listening works", async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer);
  await app.ready();
  app.io.on("connection", (socket) => socket.emit("hi"));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  const socket = client(t, `http://127.0.0.1:${port}`);
  await nextEvent(socket, "hi");
  assert.ok(socket.connected);
});

test("app.close() disconnects every socket with 'server shutting down' and resolves promptly", async (t) => {
  const { app, url } = await start(t);
  const reasons: string[] = [];
  app.io.on("connection", (socket) => socket.on("disconnect", (reason) => reasons.push(reason)));
  const sockets = [
    client(t, url, { transports: ["polling"] }),
    client(t, url, { transports: ["websocket"] }),
    client(t, url),
  ];
  await Promise.all(sockets.map(connected));
  const clientSide = sockets.map((s) => nextEvent<[string]>(s, "disconnect"));
  await withTimeout(app.close(), 5_000, "app.close()");
  assert.deepEqual(reasons, ["server shutting down", "server shutting down", "server shutting down"]);
  const seen = await Promise.all(clientSide);
  for (const [reason] of seen) assert.equal(typeof reason, "string");
  assert.equal(app.server.listening, false);
});

test("the preClose option runs while sockets are connected, then io closes", async (t) => {
  let called = 0;
  let connectedAtPreClose = -1;
  const { app, url } = await start(t, undefined, {
    preClose(done: () => void) {
      called++;
      connectedAtPreClose = app.io.sockets.sockets.size;
      done();
    },
  });
  const reasons: string[] = [];
  app.io.on("connection", (socket) => socket.on("disconnect", (reason) => reasons.push(reason)));
  await connected(client(t, url, { transports: ["websocket"] }));
  await withTimeout(app.close(), 5_000, "app.close()");
  assert.equal(called, 1);
  assert.equal(connectedAtPreClose, 1);
  assert.deepEqual(reasons, ["server shutting down"]);
});

test("io.close() leaves the Fastify server running", async (t) => {
  const { app, url } = await start(t, (a) => {
    a.get("/ping", async () => "pong");
  });
  await app.io.close();
  assert.equal(app.server.listening, true);
  assert.equal(await (await fetch(`${url}/ping`)).text(), "pong");
});

test("registering twice, or over another io decorator, fails at register time", async (t) => {
  const twice = Fastify();
  t.after(() => twice.close());
  await twice.register(socketeer);
  await assert.rejects(async () => twice.register(socketeer), { code: "SKT_ERR_FASTIFY_IO_DECORATED" });

  const other = Fastify();
  t.after(() => other.close());
  other.decorate("io", null as unknown as FastifyInstance["io"]);
  await assert.rejects(async () => other.register(socketeer), { code: "SKT_ERR_FASTIFY_IO_DECORATED" });
});

test("invalid options fail at register time with the option named", async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  await assert.rejects(async () => app.register(socketeer, { preClose: 1 as unknown as () => void }), {
    code: "SKT_ERR_OPTIONS_INVALID_TYPE",
  });
});

test("upgrades for other paths are left to other listeners", async (t) => {
  const { app, port } = await start(t);
  const seen = new Promise<string | undefined>((resolve) => {
    app.server.on("upgrade", (req, socket) => {
      if (req.url !== "/elsewhere") return;
      socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      resolve(req.url);
    });
  });
  const { request } = await import("node:http");
  const req = request({ port, host: "127.0.0.1", path: "/elsewhere", headers: { connection: "upgrade", upgrade: "websocket" } });
  const response = once<[{ statusCode: number; resume(): void }]>(req, "response");
  req.end();
  assert.equal(await seen, "/elsewhere");
  const [res] = await response;
  res.resume();
  assert.equal(res.statusCode, 418);
});
