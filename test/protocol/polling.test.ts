import assert from "node:assert/strict";
import { connect, type Socket as NetSocket } from "node:net";
import { test } from "node:test";
import { ENGINE_ERRORS, type Socket } from "../../core/engine/index.js";
import { RawPolling, rawRequest, startEngine } from "../helpers/raw-engine-client.js";
import { deferred, once, until } from "../helpers/wait.js";

async function session(t: Parameters<typeof startEngine>[0], opts: Parameters<typeof startEngine>[1] = {}) {
  const fx = await startEngine(t, { pingInterval: 60_000, pingTimeout: 60_000, ...opts });
  const connected = once<[Socket]>(fx.engine, "connection");
  const client = new RawPolling(fx.base);
  await client.handshake();
  const [socket] = await connected;
  return { ...fx, client, socket };
}

test("delivers POSTed packets as messages and answers ok", async (t) => {
  const { client, socket } = await session(t);
  const got: unknown[] = [];
  socket.on("message", (d) => got.push(d));
  const res = await client.post("4hello\x1e4wörld\x1ebAQID");
  assert.equal(res.status, 200);
  assert.equal(res.body, "ok");
  assert.deepEqual(got, ["hello", "wörld", Buffer.from([1, 2, 3])]);
});

test("answers a parked GET with every buffered packet, binary as b+base64", async (t) => {
  const { client, socket } = await session(t);
  socket.send("a");
  socket.send(Buffer.from([255, 0]));
  socket.send(new Uint8Array([7]));
  const res = await client.poll();
  assert.equal(res.status, 200);
  assert.equal(res.body, "4a\x1eb/wA=\x1ebBw==");
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  let sentCb = false;
  socket.send("later", undefined, () => {
    sentCb = true;
  });
  assert.equal((await parked).body, "4later");
  await until(() => sentCb, 5000, "send callback");
});

test("emits packetCreate, flush and drain only as packets go out", async (t) => {
  const { client, socket } = await session(t);
  const events: string[] = [];
  socket.on("packetCreate", (p) => events.push(`create:${p.type}`));
  socket.on("flush", (ps) => events.push(`flush:${ps.length}`));
  socket.on("drain", () => events.push("drain"));
  socket.send("x");
  socket.send("y");
  assert.deepEqual(events, ["create:message", "create:message"]);
  await client.poll();
  assert.deepEqual(events, ["create:message", "create:message", "flush:2", "drain"]);
});

test("a second concurrent GET gets 400 and closes the session", async (t) => {
  const { engine, client, socket } = await session(t);
  const closed = once<[string, Error?]>(socket, "close");
  const first = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  const second = await client.poll();
  assert.equal(second.status, 400);
  assert.equal((JSON.parse(second.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
  const [reason, description] = await closed;
  assert.equal(reason, "transport error");
  assert.equal((description as { code?: string }).code, "SKT_ERR_ENGINE_TRANSPORT");
  assert.equal((await first).body, "1");
  assert.equal(engine.clientsCount, 0);
});

test("a POST during a POST gets 400 and closes the session", async (t) => {
  const { engine, client, socket } = await session(t);
  let posts = 0;
  engine.use((req, _res, next) => {
    if (req.method === "POST") posts++;
    next();
  });
  const closed = once<[string]>(socket, "close");
  // a POST whose body is still coming: it announces more bytes than it sends
  const { request } = await import("node:http");
  const slow = request(client.url(), { method: "POST", agent: false, headers: { "Content-Length": 100 } });
  slow.on("error", () => {});
  slow.write("4partial");
  await until(() => posts === 1, 5000, "first POST reaching the engine");
  const second = await client.post("4second");
  assert.equal(second.status, 400);
  assert.equal((JSON.parse(second.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
  assert.equal((await closed)[0], "transport error");
  assert.equal(engine.clientsCount, 0);
  slow.destroy();
});

test("an aborted POST frees the slot for the next one", async (t) => {
  const { engine, client, socket } = await session(t);
  const firstPost = deferred<import("node:http").IncomingMessage>();
  engine.use((req, _res, next) => {
    if (req.method === "POST") firstPost.resolve(req);
    next();
  });
  const { request } = await import("node:http");
  const slow = request(client.url(), { method: "POST", agent: false, headers: { "Content-Length": 100 } });
  slow.on("error", () => {});
  slow.write("4partial");
  const serverSide = await firstPost.promise;
  const aborted = once(serverSide, "close");
  slow.destroy();
  await aborted;
  const got = once<[string]>(socket, "message");
  const res = await client.post("4next");
  assert.equal(res.status, 200);
  assert.equal((await got)[0], "next");
});

test("a close packet from the client closes the session with transport close and releases the GET with a noop", async (t) => {
  const { engine, client, socket } = await session(t);
  const closed = once<[string]>(socket, "close");
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  assert.equal((await client.post("1")).body, "ok");
  assert.equal((await parked).body, "6");
  assert.equal((await closed)[0], "transport close");
  assert.equal(engine.clientsCount, 0);
  const after = await client.poll();
  assert.equal(after.status, 400);
  assert.equal((JSON.parse(after.body) as { code: number }).code, ENGINE_ERRORS.UNKNOWN_SID);
});

test("an undecodable payload closes the session with parse error", async (t) => {
  const { client, socket } = await session(t);
  const closed = once<[string, Error?]>(socket, "close");
  const res = await client.post("9nonsense");
  assert.equal(res.status, 400);
  const [reason, description] = await closed;
  assert.equal(reason, "parse error");
  assert.equal((description as { code?: string }).code, "SKT_ERR_ENGINE_PARSE");
});

test("a client dropping its parked GET closes the session (mid-poll, client side)", async (t) => {
  const { engine, client, socket } = await session(t);
  const closed = once<[string]>(socket, "close");
  const ac = new AbortController();
  const parked = client.poll({ signal: ac.signal }).catch((e: unknown) => e);
  await until(() => socket.transport.writable, 5000, "GET parked");
  ac.abort();
  await parked;
  assert.equal((await closed)[0], "transport error");
  assert.equal(engine.clientsCount, 0);
});

/** A keep-alive connection sending GETs one after the other (each answer read by Content-Length). */
class KeepAliveConnection {
  readonly #socket: NetSocket;
  #buffered = "";
  #waiting: (() => void) | undefined;

  constructor(port: number) {
    this.#socket = connect(port, "127.0.0.1");
    this.#socket.setEncoding("latin1");
    this.#socket.on("data", (chunk: string) => {
      this.#buffered += chunk;
      this.#waiting?.();
    });
  }

  /** Sends a GET for `path`; resolves with the answer's body. */
  async get(path: string): Promise<string> {
    this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
    for (;;) {
      const end = this.#buffered.indexOf("\r\n\r\n");
      const length = end === -1 ? undefined : /content-length: (\d+)/i.exec(this.#buffered.slice(0, end))?.[1];
      if (length !== undefined && this.#buffered.length >= end + 4 + Number(length)) {
        const body = this.#buffered.slice(end + 4, end + 4 + Number(length));
        this.#buffered = this.#buffered.slice(end + 4 + Number(length));
        return body;
      }
      await new Promise<void>((resolve) => (this.#waiting = resolve));
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

test("a connection carrying GETs of two sessions: its close ends only the session whose GET is parked on it", async (t) => {
  const { engine, port, client: a, socket: sessionA } = await session(t);
  const connectedB = once<[Socket]>(engine, "connection");
  const b = new RawPolling(a.base);
  await b.handshake();
  const [sessionB] = await connectedB;
  const path = (c: RawPolling) => new URL(c.url()).pathname + new URL(c.url()).search;
  const shared = new KeepAliveConnection(port);
  t.after(() => shared.destroy());
  // A's GET parks on the shared connection and is answered there
  const answered = shared.get(path(a));
  await until(() => sessionA.transport.writable, 5000, "A's GET parked");
  sessionA.send("to A");
  assert.equal(await answered, "4to A");
  // A's next GET parks elsewhere, then B's GET on the shared connection
  const ac = new AbortController();
  const parkedA = a.poll({ signal: ac.signal }).catch((e: unknown) => e);
  await until(() => sessionA.transport.writable, 5000, "A's second GET parked");
  const closedB = once<[string]>(sessionB, "close");
  void shared.get(path(b)).catch(() => undefined);
  await until(() => sessionB.transport.writable, 5000, "B's GET parked");
  shared.destroy();
  assert.equal((await closedB)[0], "transport error");
  assert.equal(sessionA.readyState, "open");
  assert.equal(engine.clientsCount, 1);
  // A's own parked GET still tells when its client goes away
  const closedA = once<[string]>(sessionA, "close");
  ac.abort();
  await parkedA;
  assert.equal((await closedA)[0], "transport error");
});

test("closing from the server mid-poll answers the parked GET with a close packet", async (t) => {
  const { engine, client, socket } = await session(t);
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  const closed = once<[string]>(socket, "close");
  socket.close();
  assert.equal((await parked).body, "1");
  assert.equal((await closed)[0], "forced close");
  assert.equal(socket.readyState, "closed");
  assert.equal(engine.clientsCount, 0);
});

test("a graceful server close flushes buffered packets, then sends the close packet on the next GET", async (t) => {
  const { client, socket } = await session(t);
  const closed = once<[string]>(socket, "close");
  socket.send("bye");
  socket.close();
  socket.send("dropped");
  assert.equal(socket.readyState, "closing");
  assert.equal((await client.poll()).body, "4bye");
  // the close waited for this GET: a noop, then the close (as engine.io)
  assert.equal((await client.poll()).body, "6\x1e1");
  assert.equal((await closed)[0], "forced close");
});

test("server.close() closes every session with server shutting down", async (t) => {
  const { engine, client, socket } = await session(t);
  const parked = client.poll();
  await until(() => socket.transport.writable, 5000, "GET parked");
  const closed = once<[string]>(socket, "close");
  engine.close();
  assert.equal((await closed)[0], "server shutting down");
  assert.equal((await parked).body, "1");
  assert.equal(engine.clientsCount, 0);
  assert.deepEqual(Object.keys(engine.clients), []);
});

test("compresses large polling responses when the client accepts gzip", async (t) => {
  const { client, socket } = await session(t, { httpCompression: { threshold: 100 } });
  socket.send("x".repeat(500));
  const zipped = await client.poll({ headers: { "accept-encoding": "gzip" } });
  assert.equal(zipped.headers["content-encoding"], "gzip");
  assert.equal(zipped.body, "4" + "x".repeat(500));
  socket.send("y".repeat(50));
  const small = await client.poll({ headers: { "accept-encoding": "gzip" } });
  assert.equal(small.headers["content-encoding"], undefined);
  socket.send("z".repeat(500), { compress: false });
  const opted = await client.poll({ headers: { "accept-encoding": "gzip" } });
  assert.equal(opted.headers["content-encoding"], undefined);
});

test("answers 400 to other HTTP methods on a session", async (t) => {
  const { client, socket } = await session(t);
  const put = await rawRequest(client.url(), { method: "PUT", body: "4x" });
  assert.equal(put.status, 400);
  assert.equal((JSON.parse(put.body) as { code: number }).code, ENGINE_ERRORS.BAD_REQUEST);
  assert.equal(socket.readyState, "open");
});
