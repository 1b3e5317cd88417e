/**
 * socket.io v2 clients (`socket.io-client@2.5.0`) against a server with `allowEIO3: true`. Every
 * scenario runs twice, against socket.io 4 and against Socketeer, with the same assertions: what
 * socket.io does is the reference where the protocol leaves room (ids, auth, error payloads,
 * disconnect reasons).
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { Server as SocketIoServer, type Socket as SioSocket } from "socket.io";
import { io as ioV4 } from "socket.io-client";
import { Server } from "../../core/index.js";
import { v2Clients, type V2Options, type V2Socket } from "../helpers/client-v2.js";
import { closeServer, listen } from "../helpers/listen.js";
import { once, until } from "../helpers/wait.js";

type Io = InstanceType<typeof SocketIoServer>;
type ServerSocket = SioSocket;
type ServerOpts = ConstructorParameters<typeof SocketIoServer>[1];

const IMPLEMENTATIONS: { name: string; Server: typeof SocketIoServer }[] = [
  { name: "socket.io", Server: SocketIoServer },
  { name: "Socketeer", Server: Server as unknown as typeof SocketIoServer },
];

const MODES: { name: string; opts: V2Options; final: "polling" | "websocket" }[] = [
  { name: "polling", opts: { transports: ["polling"] }, final: "polling" },
  { name: "websocket only", opts: { transports: ["websocket"] }, final: "websocket" },
  { name: "upgrade", opts: { transports: ["polling", "websocket"] }, final: "websocket" },
  // b64=1: binary inside text payloads as b4<base64>
  { name: "polling with forceBase64", opts: { transports: ["polling"], forceBase64: true }, final: "polling" },
];

interface Fixture {
  io: Io;
  url: string;
  v2(nsp?: string, opts?: V2Options): V2Socket;
  /** A v2 client connected (and, for `final`, on that transport); with its server socket. */
  connect(nsp?: string, opts?: V2Options, final?: string): Promise<{ client: V2Socket; socket: ServerSocket }>;
}

async function start(t: TestContext, Impl: typeof SocketIoServer, opts: ServerOpts = {}): Promise<Fixture> {
  const { server, url } = await listen(undefined);
  const io = new Impl(server, { allowEIO3: true, ...opts });
  const v2 = v2Clients(t, url);
  t.after(async () => {
    await io.close();
    await closeServer(server);
  });
  return {
    io,
    url,
    v2,
    async connect(nsp = "/", o = {}, final) {
      const name = nsp.split("?")[0]!;
      const arrived = once<[ServerSocket]>(io.of(name), "connection");
      const client = v2(nsp, o);
      await once(client as never, "connect");
      const [socket] = await arrived;
      if (final !== undefined) await until(() => client.io.engine.transport.name === final, 5_000, `transport ${final}`);
      return { client, socket };
    },
  };
}

/** Resolves with the arguments of the next `event` on a v2 client. */
function next<T extends unknown[]>(client: V2Socket, event: string): Promise<T> {
  return once<T>(client as never, event);
}

for (const impl of IMPLEMENTATIONS) {
  describe(`socket.io v2 clients on ${impl.name} (allowEIO3)`, () => {
    for (const mode of MODES) {
      test(`${mode.name}: connects to the main namespace with the id the client computes, emits and acks both ways with binary`, async (t) => {
        const fx = await start(t, impl.Server);
        const { client, socket } = await fx.connect("/", mode.opts, mode.final);
        assert.equal(socket.id, client.id);
        assert.equal(socket.id, client.io.engine.id);
        assert.equal(socket.conn.protocol, 3);
        assert.equal(socket.conn.transport.name, mode.final);
        if (mode.opts.forceBase64 === true) assert.equal(socket.handshake.query.b64, "1");

        socket.on("echo", (...args: unknown[]) => (args.pop() as (...a: unknown[]) => void)(...args));
        const acked = await new Promise<unknown[]>((resolve) =>
          client.emit("echo", "text", { n: 1 }, Buffer.from([1, 2, 3]), (...a: unknown[]) => resolve(a)),
        );
        assert.deepEqual(acked, ["text", { n: 1 }, Buffer.from([1, 2, 3])]);

        const got = next<[string, Buffer]>(client, "news");
        socket.emit("news", "hi", Buffer.from([4, 5]));
        assert.deepEqual(await got, ["hi", Buffer.from([4, 5])]);

        client.on("ask", (q: string, ack: (a: unknown) => void) => ack({ answer: q.toUpperCase(), bin: Buffer.from([6]) }));
        const answer = await socket.timeout(5_000).emitWithAck("ask", "why");
        assert.deepEqual(answer, { answer: "WHY", bin: Buffer.from([6]) });
      });
    }

    test("a namespace with a query: handshake.auth holds the CONNECT query, handshake.query the URL's", async (t) => {
      const fx = await start(t, impl.Server);
      const mainConnections: string[] = [];
      fx.io.on("connection", (s) => mainConnections.push(s.id));
      const { client, socket } = await fx.connect("/admin?token=abc&x=1", { transports: ["websocket"] });
      assert.equal(socket.nsp.name, "/admin");
      assert.deepEqual({ ...socket.handshake.auth }, { token: "abc", x: "1" });
      assert.equal(socket.handshake.query.token, "abc");
      assert.equal(socket.id, `/admin#${client.io.engine.id}`);
      assert.equal(socket.id, client.id);
      // the server joined the main namespace on its own
      assert.deepEqual(mainConnections, [client.io.engine.id]);
      const got = next<[string]>(client, "hello");
      socket.emit("hello", "admin");
      assert.deepEqual(await got, ["admin"]);
    });

    test("a refused connection: the client's error event gets the error's data, else its message", async (t) => {
      const fx = await start(t, impl.Server);
      fx.io.of("/with-data").use((_s, next) => next(Object.assign(new Error("nope"), { data: { code: 42 } })));
      fx.io.of("/message-only").use((_s, next) => next(new Error("go away")));
      const a = fx.v2("/with-data", { transports: ["websocket"] });
      assert.deepEqual(await next(a, "error"), [{ code: 42 }]);
      const b = fx.v2("/message-only", { transports: ["polling"] });
      assert.deepEqual(await next(b, "error"), ["go away"]);
      const c = fx.v2("/nowhere", { transports: ["websocket"] });
      assert.deepEqual(await next(c, "error"), [{ message: "Invalid namespace" }]);
    });

    test("main-namespace middleware sees the handshake query; a refusal reaches the client's error event", async (t) => {
      const fx = await start(t, impl.Server);
      fx.io.use((socket, next) => (socket.handshake.query.token === "good" ? next() : next(new Error("unauthorized"))));
      const ok = await fx.connect("/", { transports: ["websocket"], query: { token: "good" } });
      assert.equal(ok.socket.handshake.query.token, "good");
      const refused = fx.v2("/", { transports: ["polling"], query: { token: "bad" } });
      assert.deepEqual(await next(refused, "error"), ["unauthorized"]);
      assert.equal(refused.connected, false);
    });

    test("rooms and broadcasts reach v2 (polling and WebSocket) and v4 clients alike", async (t) => {
      const fx = await start(t, impl.Server);
      fx.io.on("connection", (s) => void s.join("room"));
      const polling = await fx.connect("/", { transports: ["polling"] });
      const ws = await fx.connect("/", { transports: ["websocket"] });
      const v4 = ioV4(fx.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
      t.after(() => v4.disconnect());
      await once(v4, "connect");
      await until(() => fx.io.of("/").adapter.rooms.get("room")?.size === 3, 5_000, "three in the room");
      const all = [next(polling.client, "news"), next(ws.client, "news"), once(v4, "news")];
      fx.io.to("room").emit("news", "hello", Buffer.from([1, 2, 3]));
      for (const got of await Promise.all(all)) assert.deepEqual(got, ["hello", Buffer.from([1, 2, 3])]);
      // a v2 client's own room is its id, and emits from it reach the others
      const fromV2 = [next(polling.client, "said"), once(v4, "said")];
      ws.socket.on("say", (m: string) => ws.socket.to("room").emit("said", m));
      ws.client.emit("say", "from v2");
      for (const got of await Promise.all(fromV2)) assert.deepEqual(got, ["from v2"]);
      const direct = next(polling.client, "direct");
      fx.io.to(polling.client.id).emit("direct", 1);
      assert.deepEqual(await direct, [1]);
    });

    test("disconnects: the reasons each side sees", async (t) => {
      const fx = await start(t, impl.Server);
      const a = await fx.connect("/", { transports: ["websocket"] });
      const clientSaw = next<[string]>(a.client, "disconnect");
      const serverSaw = once<[string]>(a.socket, "disconnect");
      a.socket.disconnect();
      assert.deepEqual(await clientSaw, ["io server disconnect"]);
      assert.equal((await serverSaw)[0], "server namespace disconnect");

      const b = await fx.connect("/", { transports: ["polling"] });
      const serverSawB = once<[string]>(b.socket, "disconnect");
      b.client.close();
      assert.equal((await serverSawB)[0], "client namespace disconnect");

      const c = await fx.connect("/admin", { transports: ["websocket"] });
      const serverSawC = once<[string]>(c.socket, "disconnect");
      c.client.close();
      assert.equal((await serverSawC)[0], "client namespace disconnect");

      const d = await fx.connect("/", { transports: ["polling"] });
      const clientSawD = next<[string]>(d.client, "disconnect");
      const serverSawD = once<[string]>(d.socket, "disconnect");
      d.socket.disconnect(true);
      assert.deepEqual(await clientSawD, ["io server disconnect"]);
      assert.equal((await serverSawD)[0], "server namespace disconnect");

      const e = await fx.connect("/", { transports: ["websocket"] });
      const clientSawE = next<[string]>(e.client, "disconnect");
      e.socket.conn.close();
      assert.deepEqual(await clientSawE, ["transport close"]);
    });

    test("with connectionStateRecovery on, a v2 client connects and reconnects as a new socket", async (t) => {
      const fx = await start(t, impl.Server, { connectionStateRecovery: {} });
      const first = await fx.connect("/", { transports: ["websocket"] });
      assert.equal(first.socket.recovered, false);
      const left = once(first.socket, "disconnect");
      first.client.close();
      await left;
      const second = await fx.connect("/", { transports: ["websocket"] });
      assert.equal(second.socket.recovered, false);
      assert.notEqual(second.socket.id, first.socket.id);
      const got = next<[number, string]>(second.client, "n");
      second.socket.emit("n", 1);
      // the offset is appended to every event, as socket.io does (a v2 client just gets one more argument)
      const [n, offset] = await got;
      assert.equal(n, 1);
      assert.equal(typeof offset, "string");
    });

    test("heartbeat: the v2 client's pings keep it alive; when they stop, the server closes it (ping timeout)", async (t) => {
      const fx = await start(t, impl.Server, { pingInterval: 60, pingTimeout: 100 });
      const { client, socket } = await fx.connect("/", { transports: ["websocket"] });
      let heartbeats = 0;
      socket.conn.on("heartbeat", () => heartbeats++);
      await until(() => heartbeats >= 3, 5_000, "three client pings answered");
      assert.equal(socket.connected, true);
      // the client stops pinging and stops watching the server
      // engine.io-client v3 also listens to its own "heartbeat" event with the original onHeartbeat
      // (any packet re-arms a pingInterval + pingTimeout timer that races the server's); that listener
      // and the timers already running go too
      const engine = client.io.engine as unknown as {
        ping(): void;
        onHeartbeat(): void;
        removeListener(event: string, fn: () => void): void;
        pingTimeoutTimer?: ReturnType<typeof setTimeout>;
        pingIntervalTimer?: ReturnType<typeof setTimeout>;
      };
      engine.removeListener("heartbeat", engine.onHeartbeat);
      engine.ping = () => {};
      engine.onHeartbeat = () => {};
      clearTimeout(engine.pingTimeoutTimer);
      clearTimeout(engine.pingIntervalTimer);
      const stopped = Date.now();
      const [reason] = await once<[string]>(socket, "disconnect", 5_000);
      assert.equal(reason, "ping timeout");
      assert.ok(Date.now() - stopped >= 60, "closed before the client could have pinged again");
    });
  });
}

test("without allowEIO3 a v2 client cannot connect (400, unsupported protocol version)", async (t) => {
  const { server, url } = await listen(undefined);
  const io = new Server(server);
  t.after(() => io.close());
  const errors: { code: number }[] = [];
  io.engine.on("connection_error", (e) => errors.push(e));
  const client = v2Clients(t, url)("/", { transports: ["polling"] });
  await next(client, "connect_error");
  assert.equal(errors[0]?.code, 5);
});

test("a broadcast to v2 and v4 clients is encoded once (Socket.IO) and its binary prefixed once for v3 WebSockets", async (t) => {
  const fx = await start(t, Server as unknown as typeof SocketIoServer);
  const io = fx.io as unknown as Server;
  io.on("connection", (s) => void s.join("r"));
  const clients = [];
  for (let i = 0; i < 3; i++) clients.push((await fx.connect("/", { transports: ["websocket"] })).client);
  const v4 = ioV4(fx.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  t.after(() => v4.disconnect());
  await once(v4, "connect");
  await until(() => io.of("/").adapter.rooms.get("r")?.size === 4, 5_000, "four in the room");
  let encodes = 0;
  const encode = io.encoder.encode.bind(io.encoder);
  io.encoder.encode = (p) => {
    encodes++;
    return encode(p);
  };
  const all = [...clients.map((c) => next(c, "b")), once(v4, "b")];
  io.to("r").emit("b", Buffer.from([9, 9]));
  for (const got of await Promise.all(all)) assert.deepEqual(got, [Buffer.from([9, 9])]);
  assert.equal(encodes, 1);
});

test("allowEIO3 through the Fastify plugin: a v2 client over polling and the upgrade", async (t) => {
  const { default: Fastify } = await import("fastify");
  const { default: socketeer } = await import("../../integrations/fastify/index.js");
  const app = Fastify();
  t.after(() => app.close());
  await app.register(socketeer, { allowEIO3: true });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as { port: number };
  app.io.on("connection", (s) => s.on("ping?", (ack: (a: string) => void) => ack("pong!")));
  const client = v2Clients(t, `http://127.0.0.1:${port}`)("/", { transports: ["polling", "websocket"] });
  await once(client as never, "connect");
  await until(() => client.io.engine.transport.name === "websocket", 5_000, "upgrade");
  const answer = await new Promise((resolve) => client.emit("ping?", resolve));
  assert.equal(answer, "pong!");
});
