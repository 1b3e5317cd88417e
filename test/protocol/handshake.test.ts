import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { ENGINE_ERRORS, type ConnectionError } from "../../core/engine/index.js";
import { RawPolling, RawWebSocket, parseOpen, rawRequest, startEngine } from "../helpers/raw-engine-client.js";
import { once } from "../helpers/wait.js";

test("answers a polling handshake with the open packet", async (t) => {
  const { engine, base } = await startEngine(t, { pingInterval: 300, pingTimeout: 200, maxHttpBufferSize: 5000 });
  const connected = once(engine, "connection");
  const res = await rawRequest(`${base}?EIO=4&transport=polling`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers["content-type"]), /^text\/plain/);
  const open = parseOpen(res.body);
  assert.match(open.sid, /^[A-Za-z0-9_-]{20}$/);
  assert.deepEqual(open.upgrades, ["websocket"]);
  assert.equal(open.pingInterval, 300);
  assert.equal(open.pingTimeout, 200);
  assert.equal(open.maxPayload, 5000);
  const [socket] = await connected;
  assert.equal((socket as { id: string }).id, open.sid);
  assert.equal(engine.clientsCount, 1);
  assert.ok(engine.clients[open.sid]);
});

test("answers the path with and without a trailing slash, and nothing else", async (t) => {
  const { engine, port } = await startEngine(t);
  const a = await rawRequest(`http://127.0.0.1:${port}/engine.io?EIO=4&transport=polling`);
  assert.equal(a.status, 200);
  assert.equal(engine.isEngineRequest({ url: "/engine.io/?EIO=4" }), true);
  assert.equal(engine.isEngineRequest({ url: "/engine.iox" }), false);
  assert.equal(engine.isEngineRequest({ url: "/other" }), false);
});

test("sends no upgrades when websocket is disabled or upgrades are off", async (t) => {
  const a = await startEngine(t, { transports: ["polling"] });
  assert.deepEqual(await new RawPolling(a.base).handshake().then((o) => o.upgrades), []);
  const b = await startEngine(t, { allowUpgrades: false });
  assert.deepEqual(await new RawPolling(b.base).handshake().then((o) => o.upgrades), []);
});

const cases: [string, string, RequestInit & { method?: string }, number, number][] = [
  ["an unknown transport", "?EIO=4&transport=carrier-pigeon", {}, 400, ENGINE_ERRORS.UNKNOWN_TRANSPORT],
  ["a missing transport", "?EIO=4", {}, 400, ENGINE_ERRORS.UNKNOWN_TRANSPORT],
  ["an unknown sid", "?EIO=4&transport=polling&sid=nope", {}, 400, ENGINE_ERRORS.UNKNOWN_SID],
  ["a POST handshake", "?EIO=4&transport=polling", { method: "POST" }, 400, ENGINE_ERRORS.BAD_HANDSHAKE_METHOD],
  ["a websocket handshake without upgrade", "?EIO=4&transport=websocket", {}, 400, ENGINE_ERRORS.BAD_REQUEST],
  ["protocol version 3", "?EIO=3&transport=polling", {}, 400, ENGINE_ERRORS.UNSUPPORTED_PROTOCOL_VERSION],
  ["a missing protocol version", "?transport=polling", {}, 400, ENGINE_ERRORS.UNSUPPORTED_PROTOCOL_VERSION],
];

for (const [what, query, init, status, code] of cases) {
  test(`answers ${status} with code ${code} to ${what}`, async (t) => {
    const { engine, base } = await startEngine(t);
    const errors: ConnectionError[] = [];
    engine.on("connection_error", (e) => errors.push(e));
    const res = await rawRequest(base + query, { method: init.method ?? "GET" });
    assert.equal(res.status, status);
    assert.match(String(res.headers["content-type"]), /application\/json/);
    const body = JSON.parse(res.body) as { code: number; message: string };
    assert.equal(body.code, code);
    assert.equal(typeof body.message, "string");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, code);
    assert.equal(engine.clientsCount, 0);
  });
}

test("answers 403 with code 4 when allowRequest refuses, with its message", async (t) => {
  const { base } = await startEngine(t, {
    allowRequest: (req, fn) => fn(req.headers["x-token"] === "ok" ? null : "no token", req.headers["x-token"] === "ok"),
  });
  const refused = await rawRequest(`${base}?EIO=4&transport=polling`);
  assert.equal(refused.status, 403);
  assert.deepEqual(JSON.parse(refused.body), { code: ENGINE_ERRORS.FORBIDDEN, message: "no token" });
  const allowed = await rawRequest(`${base}?EIO=4&transport=polling`, { headers: { "x-token": "ok" } });
  assert.equal(allowed.status, 200);
});

test("refuses a WebSocket handshake with 403 when allowRequest says no", async (t) => {
  const { wsBase } = await startEngine(t, { allowRequest: (_req, fn) => fn("go away", false) });
  await assert.rejects(RawWebSocket.connect(wsBase), (err: { status: number; body: string }) => {
    assert.equal(err.status, 403);
    assert.deepEqual(JSON.parse(err.body), { code: ENGINE_ERRORS.FORBIDDEN, message: "go away" });
    return true;
  });
});

test("refuses an upgrade for an unknown sid with 400 and code 1", async (t) => {
  const { wsBase } = await startEngine(t);
  await assert.rejects(RawWebSocket.connect(wsBase, "unknown"), (err: { status: number; body: string }) => {
    assert.equal(err.status, 400);
    assert.equal((JSON.parse(err.body) as { code: number }).code, ENGINE_ERRORS.UNKNOWN_SID);
    return true;
  });
});

test("middlewares run before the handshake and each polling request, and can refuse with their own status", async (t) => {
  const { engine, base } = await startEngine(t);
  const seen: string[] = [];
  engine.use((req, res, next) => {
    seen.push(req.method ?? "");
    if (req.headers.authorization === "Bearer ok") return next();
    res.writeHead(401, { "Content-Type": "text/plain" });
    res.end("unauthorized");
  });
  const refused = await rawRequest(`${base}?EIO=4&transport=polling`);
  assert.equal(refused.status, 401);
  assert.equal(refused.body, "unauthorized");
  const client = new RawPolling(base);
  await client.handshake({ authorization: "Bearer ok" });
  const post = await client.post("4hi", { headers: { authorization: "Bearer ok" } });
  assert.equal(post.status, 200);
  const unauthorizedPost = await client.post("4hi");
  assert.equal(unauthorizedPost.status, 401);
  assert.deepEqual(seen, ["GET", "GET", "POST", "POST"]);
});

test("a middleware refusing an upgrade sends a real 401 on the raw socket", async (t) => {
  const { engine, wsBase } = await startEngine(t);
  engine.use((req, res, next) => {
    if (req.headers.authorization === "Bearer ok") return next();
    res.writeHead(401, { "X-Why": "token" }).end("nope");
  });
  await assert.rejects(RawWebSocket.connect(wsBase), (err: { status: number; body: string; headers: Record<string, string> }) => {
    assert.equal(err.status, 401);
    assert.equal(err.body, "nope");
    assert.equal(err.headers["x-why"], "token");
    return true;
  });
  const ok = await RawWebSocket.connect(wsBase, undefined, { authorization: "Bearer ok" });
  assert.match(String(await ok.next()), /^0\{/);
  ok.close();
});

test("next(err) in a middleware answers 400 with code 3", async (t) => {
  const { engine, base } = await startEngine(t);
  engine.use((_req, _res, next) => next(new Error("boom")));
  const res = await rawRequest(`${base}?EIO=4&transport=polling`);
  assert.equal(res.status, 400);
  assert.equal((JSON.parse(res.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
});

test("sets the io cookie and lets initial_headers/headers add headers (polling and websocket)", async (t) => {
  const { engine, base, wsBase } = await startEngine(t, { cookie: { name: "sticky", sameSite: "strict" } });
  engine.on("initial_headers", (headers) => {
    headers["X-Initial"] = "1";
  });
  engine.on("headers", (headers) => {
    headers["X-Every"] = "1";
  });
  const res = await rawRequest(`${base}?EIO=4&transport=polling`);
  const sid = parseOpen(res.body).sid;
  assert.equal(res.headers["x-initial"], "1");
  assert.equal(res.headers["x-every"], "1");
  assert.deepEqual(res.headers["set-cookie"], [`sticky=${sid}; Path=/; HttpOnly; SameSite=Strict`]);
  const post = await rawRequest(`${base}?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "4x" });
  assert.equal(post.headers["x-initial"], undefined);
  assert.equal(post.headers["x-every"], "1");

  const upgradeHeaders = new Promise<Record<string, string | string[] | undefined>>((resolve) => {
    const ws = new WebSocket(`${wsBase}?EIO=4&transport=websocket`);
    ws.on("error", () => {});
    ws.once("upgrade", (r) => resolve(r.headers));
    ws.once("open", () => ws.close());
  });
  const h = await upgradeHeaders;
  assert.equal(h["x-initial"], "1");
  assert.match(String(h["set-cookie"]), /^sticky=[A-Za-z0-9_-]{20}; Path=\/; HttpOnly; SameSite=Strict$/);
});

test("generateId can be replaced", async (t) => {
  const { engine, base } = await startEngine(t);
  engine.generateId = async () => "custom-id";
  const open = await new RawPolling(base).handshake();
  assert.equal(open.sid, "custom-id");
  assert.ok(engine.clients["custom-id"]);
});

test("refuses the handshake with 400 when generateId fails or repeats an open id", async (t) => {
  const { engine, base, wsBase } = await startEngine(t);
  engine.generateId = () => "same";
  await new RawPolling(base).handshake();
  const dup = await rawRequest(`${base}?EIO=4&transport=polling`);
  assert.equal(dup.status, 400);
  assert.equal((JSON.parse(dup.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
  engine.generateId = () => Promise.reject(new Error("no ids today"));
  assert.equal((await rawRequest(`${base}?EIO=4&transport=polling`)).status, 400);
  await assert.rejects(RawWebSocket.connect(wsBase), (e: { status: number }) => e.status === 400);
  assert.equal(engine.clientsCount, 1);
});

test("uses the wsEngine class for WebSocket connections", async (t) => {
  let created = 0;
  class CountingServer extends WebSocketServer {
    constructor(opts: ConstructorParameters<typeof WebSocketServer>[0]) {
      super(opts);
      created++;
    }
  }
  const { wsBase } = await startEngine(t, { wsEngine: CountingServer });
  const ws = await RawWebSocket.connect(wsBase);
  assert.match(String(await ws.next()), /^0\{/);
  assert.equal(created, 1);
  ws.close();
});

test("sends initialPacket right after the open packet", async (t) => {
  const { wsBase } = await startEngine(t, { initialPacket: "welcome" });
  const ws = await RawWebSocket.connect(wsBase);
  assert.match(String(await ws.next()), /^0\{/);
  assert.equal(await ws.next(), "4welcome");
  ws.close();
});
