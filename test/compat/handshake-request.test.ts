/**
 * `socket.request` after the handshake (issue 18): a slim record when nothing was attached to the
 * request, the request itself when a middleware attached something; either way apps read the
 * same headers, url, method, address and attachments as with socket.io.
 */
import assert from "node:assert/strict";
import { IncomingMessage } from "node:http";
import { test } from "node:test";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, TRANSPORT_MODES, waitFor } from "./support.js";

type AnyRequest = IncomingMessage & Record<string, unknown>;
const bag = (req: unknown): Record<string, unknown> => req as Record<string, unknown>;

for (const { name, Server } of IMPLEMENTATIONS) {
  for (const mode of TRANSPORT_MODES) {
    test(`${name} · ${mode.name}: socket.request gives headers, url, method, address; io.use attachments persist`, async (t) => {
      const s = await setup(t, {}, Server);
      s.io.use((socket, next) => {
        (socket.request as AnyRequest).user = { id: 7 };
        next();
      });
      const connected = waitFor<[Socket]>(s.io, "connection");
      await s.connect("/", { transports: mode.transports, upgrade: mode.upgrade, extraHeaders: { "x-h18": "yes" }, query: { q: "1" } });
      const [socket] = await connected;
      const req = socket.request as AnyRequest;
      assert.ok(req instanceof IncomingMessage);
      assert.equal(req.headers["x-h18"], "yes");
      assert.match(String(req.url), /^\/socket\.io\/\?.*q=1/);
      assert.equal(req.method, "GET");
      assert.equal(req.httpVersion, "1.1");
      assert.equal(req.socket.remoteAddress, "127.0.0.1");
      assert.equal(req.connection.remoteAddress, "127.0.0.1");
      assert.deepEqual(req.user, { id: 7 }, "what io.use attached is there later");
      assert.equal(socket.request, req, "the same object each time");
      const raw = req.rawHeaders;
      const i = raw.findIndex((h) => h.toLowerCase() === "x-h18");
      assert.ok(i >= 0 && raw[i + 1] === "yes", "rawHeaders carries the header pair");
      assert.equal(req.headersDistinct["x-h18"]?.[0], "yes");
      assert.equal(socket.handshake.headers["x-h18"], "yes");
    });
  }
}

for (const { name, Server } of IMPLEMENTATIONS) {
  test(`${name}: a WebSocket handshake keeps its upgrade headers, and handshake.address outlives the connection`, async (t) => {
    const s = await setup(t, {}, Server);
    const connected = waitFor<[Socket]>(s.io, "connection");
    const client = await s.connect("/", { transports: ["websocket"] });
    const [socket] = await connected;
    const headers = socket.handshake.headers;
    assert.equal(headers.upgrade, "websocket");
    assert.equal(headers["sec-websocket-version"], "13");
    assert.equal(typeof headers["sec-websocket-key"], "string");
    assert.equal(socket.request.headers["sec-websocket-version"], "13");
    const seenAtDisconnect = new Promise<string>((resolve) => socket.on("disconnect", () => resolve(socket.handshake.address)));
    client.disconnect();
    assert.match(await seenAtDisconnect, /127\.0\.0\.1$/);
  });
}

test("Socketeer: an idle socket's request holds no stream state; with an engine middleware's attachment it is the request itself", async (t) => {
  const plain = await setup(t, {});
  const c1 = waitFor<[Socket]>(plain.io, "connection");
  await plain.connect("/");
  const [s1] = await c1;
  assert.equal((s1.request as AnyRequest)._readableState, undefined, "no Readable state kept");
  // the slim record's version and flags read and write as IncomingMessage's fields
  const r1 = s1.request as AnyRequest;
  assert.deepEqual([r1.httpVersion, r1.httpVersionMajor, r1.httpVersionMinor, r1.complete, r1.aborted], ["1.1", 1, 1, true, false]);
  r1.httpVersion = "1.0";
  r1.aborted = true;
  assert.deepEqual([r1.httpVersion, r1.httpVersionMajor, r1.httpVersionMinor, r1.aborted, r1.complete], ["1.0", 1, 0, true, true]);

  const withSession = await setup(t, {});
  let seen: IncomingMessage | undefined;
  withSession.io.engine.use((req: IncomingMessage, _res: unknown, next: () => void) => {
    seen = req;
    bag(req).session = { n: 1 };
    next();
  });
  const c2 = waitFor<[Socket]>(withSession.io, "connection");
  await withSession.connect("/");
  const [s2] = await c2;
  assert.equal(s2.request, seen, "the request a middleware decorated is kept as is");
  // express-session's reload() assigns req.session on the request it was given
  bag(seen).session = { n: 2 };
  assert.deepEqual(bag(s2.request).session, { n: 2 });
});

for (const { name, Server } of IMPLEMENTATIONS) {
  test(`${name}: handshake.query carries the query's keys, including names of Object.prototype members`, async (t) => {
    const s = await setup(t, {}, Server);
    const connected = waitFor<[Socket]>(s.io, "connection");
    await s.connect("/", { query: { a: "1", toString: "x" } });
    const [socket] = await connected;
    const q = socket.handshake.query as Record<string, unknown>;
    assert.equal(q.a, "1");
    assert.equal(q.toString, "x", "a key named like an Object.prototype member is a plain key");
    if (name === "Socketeer") {
      // socket.io's query inherits from Object.prototype; ours inherits no name (as before issue 18)
      assert.equal(q.constructor, undefined, "nothing inherited");
      assert.equal("hasOwnProperty" in q, false);
    }
    assert.equal(q.EIO, "4");
    assert.deepEqual(Object.keys(q).sort(), ["EIO", "a", "toString", "transport"]);
    assert.equal(JSON.stringify({ ...q }), JSON.stringify(Object.fromEntries(Object.entries(q))));
  });
}

for (const { name, Server } of IMPLEMENTATIONS) {
  const extras: Record<string, string>[] = [{}, { "x-a": "1" }, { "x-a": "1", "x-b": "2", "x-c": "3", "x-d": "4", "x-e": "5", "x-f": "6" }];
  for (const extra of extras) {
    test(`${name}: a WebSocket handshake's headers (${Object.keys(extra).length} extra) are one plain, writable object for request and handshake`, async (t) => {
      const s = await setup(t, {}, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      await s.connect("/", { transports: ["websocket"], extraHeaders: extra });
      const [socket] = await connected;
      const headers = socket.handshake.headers;
      assert.equal(socket.request.headers, headers, "request.headers and handshake.headers are the same object");
      assert.equal(Object.getPrototypeOf(headers), Object.prototype);
      assert.equal(headers.constructor, Object);
      assert.equal(Object.prototype.toString.call(headers), "[object Object]");
      assert.ok(Object.isExtensible(headers) && !Object.isFrozen(headers));
      for (const [k, v] of Object.entries(extra)) assert.equal(headers[k], v);
      for (const k of ["host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version"]) {
        assert.equal(typeof headers[k], "string", k);
        assert.deepEqual(Object.getOwnPropertyDescriptor(headers, k), { value: headers[k], writable: true, enumerable: true, configurable: true });
      }
      const keys = Object.keys(headers);
      for (const k of Object.keys(extra)) assert.ok(keys.includes(k), k);
      // an app may change them, as with socket.io; both views see it
      headers["x-app"] = "set";
      headers.host = "changed";
      delete headers.upgrade;
      assert.equal(socket.request.headers["x-app"], "set");
      assert.equal(socket.request.headers.host, "changed");
      assert.equal("upgrade" in socket.request.headers, false);
      assert.equal(JSON.parse(JSON.stringify(headers))["x-app"], "set");
    });
  }
}
