/**
 * @module test/integrations/nestjs/scenarios — the NestJS gateway scenario suite. It runs once per
 * adapter (the stock `IoAdapter` and ours) on Express and on Fastify; every assertion is made on the
 * socket.io-client side (or on what the gateways recorded), so passing both runs means the two adapters
 * are observably identical for these scenarios.
 */
import "reflect-metadata";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { until, WAIT_MS, withTimeout } from "../../helpers/wait.js";
import { ask, askException, Clients, NEST_MAJOR, next, PLATFORMS, startApp, type MakeAdapter, type StartedApp } from "./fixtures/app.js";
import { AppModule, minimalModule, Recorder, requestScopeModule, separatePortModule } from "./fixtures/gateways.js";

/** A port that was free a moment ago (Nest needs the port at decoration time for a separate-port gateway). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function collect(socket: ClientSocket, event: string, count: number): Promise<unknown[]> {
  return withTimeout(
    new Promise<unknown[]>((resolve) => {
      const seen: unknown[] = [];
      const onEvent = (value: unknown) => {
        seen.push(value);
        if (seen.length === count) {
          socket.off(event, onEvent);
          resolve(seen);
        }
      };
      socket.on(event, onEvent);
    }),
    undefined,
    `${count} "${event}" events`,
  );
}

export interface ScenarioOptions {
  /**
   * The run against the stock IoAdapter: skips the scenario where it hangs (app.close() on Fastify with
   * forceCloseConnections) and expects its own server-side reason at shutdown (see "shutdown").
   */
  stockGaps?: boolean;
}

/**
 * Nest 11's WebSocketsController calls `handleDisconnect(client)` without the reason, whatever the adapter
 * passes; Nest 12 forwards the reason the adapter gives to `bindClientDisconnect`'s callback.
 */
function reasonAsSeenByGateway(reason: string): string | undefined {
  return NEST_MAJOR >= 12 ? reason : undefined;
}

/** Registers the whole scenario suite for one adapter, on both platforms. */
export function runScenarios(name: string, makeAdapter: MakeAdapter, opts: ScenarioOptions = {}): void {
  for (const platform of PLATFORMS) {
    describe(`${name} on ${platform} (Nest ${NEST_MAJOR})`, () => {
      describe("gateways on the app's http server", () => {
        const rec = new Recorder();
        const clients = new Clients();
        let started: StartedApp;
        let url = "";

        before(async () => {
          started = await startApp(platform, AppModule.forRoot(rec), makeAdapter);
          url = started.url;
        });
        afterEach(() => clients.closeAll());
        after(() => started.close());

        it("runs afterInit with the root Server and the Namespace", () => {
          assert.deepEqual(rec.named("afterInit:main"), [[{ kind: "server", hasEngine: true }]]);
          assert.deepEqual(rec.named("afterInit:chat"), [[{ kind: "namespace", name: "/chat" }]]);
        });

        it("acks the return value of a handler", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "echo", { a: [1, "x"] }), { a: [1, "x"] });
          assert.equal(await ask(c, "echo", "plain"), "plain");
        });

        it("emits a WsResponse as an event instead of acking", async () => {
          const c = await clients.connect(url);
          const reply = next<[unknown]>(c, "evt-reply");
          c.emit("evt", { hello: "world" });
          assert.deepEqual(await reply, [{ hello: "world" }]);
        });

        it("acks the resolved value of a Promise", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "promise", 21), { doubled: 42 });
        });

        it("acks only the first value of an Observable", async () => {
          const c = await clients.connect(url);
          assert.equal(await ask(c, "observable"), 1);
        });

        it("emits every WsResponse of an Observable", async () => {
          const c = await clients.connect(url);
          const ticks = collect(c, "tick", 3);
          c.emit("observable-events");
          assert.deepEqual(await ticks, [1, 2, 3]);
        });

        it("lets a handler using @Ack() ack manually (its return value is not acked)", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "manual", "m"), { manual: "m" });
        });

        it("passes several arguments as an array and a single one as is", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "multi", "a", "b"), ["a", "b"]);
          assert.deepEqual(await ask(c, "multi", "a", { b: 1 }, 3), ["a", { b: 1 }, 3]);
          assert.equal(await ask(c, "multi", "a"), "a");
        });

        it("extracts a property with @MessageBody(key)", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "pick", { name: "n", other: 1 }), { name: "n" });
        });

        it("injects the server-side socket with @ConnectedSocket() and positionally", async () => {
          const c = await clients.connect(url);
          const reply = next<[unknown]>(c, "socket-reply");
          c.emit("socket", 7);
          assert.deepEqual(await reply, [{ id: c.id, data: 7 }]);
          assert.deepEqual(await ask(c, "positional", "p"), { sameSocket: true, data: "p" });
        });

        it("keeps per-socket state on the socket object (what Nest's request scope needs)", async () => {
          const a = await clients.connect(url);
          const b = await clients.connect(url);
          assert.equal(await ask(a, "remember", "for a"), true);
          assert.deepEqual(await ask(a, "recall"), { memo: "for a", copy: "for a", hasNumericReadyState: false });
          assert.deepEqual(await ask(b, "recall"), { hasNumericReadyState: false });
        });

        it("handles an event emitted without an ack", async () => {
          const c = await clients.connect(url);
          c.emit("echo", "no ack");
          c.emit("multi", "a", "b");
          assert.equal(await ask(c, "echo", "after"), "after");
        });

        it("turns a WsException with a message into an exception event with its cause", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await askException(c, "ws-exception", { x: 1 }), {
            status: "error",
            message: "nope",
            cause: { pattern: "ws-exception", data: { x: 1 } },
          });
        });

        it("emits a WsException's object error as is", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await askException(c, "ws-exception-object"), { code: 42, reason: "object" });
        });

        it("hides unknown errors behind 'Internal server error'", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await askException(c, "error", 1), {
            status: "error",
            message: "Internal server error",
            cause: { pattern: "error", data: 1 },
          });
        });

        it("turns an Observable error into an exception event", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await askException(c, "rx-error"), {
            status: "error",
            message: "rx",
            cause: { pattern: "rx-error" },
          });
        });

        it("keeps handling an event after it threw", async () => {
          const c = await clients.connect(url);
          await askException(c, "error", 1);
          assert.deepEqual(await askException(c, "error", 2), {
            status: "error",
            message: "Internal server error",
            cause: { pattern: "error", data: 2 },
          });
          assert.equal(await ask(c, "echo", 3), 3);
        });

        it("runs guards: denial becomes 'Forbidden resource'", async () => {
          const c = await clients.connect(url);
          assert.equal(await ask(c, "guarded", { token: "secret" }), "allowed");
          assert.deepEqual(await askException(c, "guarded", { token: "wrong" }), {
            status: "error",
            message: "Forbidden resource",
            cause: { pattern: "guarded", data: { token: "wrong" } },
          });
        });

        it("runs validation pipes (class-validator + class-transformer)", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "validate", { text: "hi", priority: 2 }), {
            isDto: true,
            text: "hi",
            priority: 2,
          });
          assert.deepEqual(await askException(c, "validate", { text: 5, priority: 0 }), {
            status: "invalid",
            fields: ["priority", "text"],
          });
        });

        it("runs interceptors around the handler", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "intercepted", "x"), { wrapped: "x", pattern: "intercepted" });
        });

        it("injects the root Server with @WebSocketServer() and broadcasts through it", async () => {
          const a = await clients.connect(url);
          const b = await clients.connect(url);
          assert.deepEqual(await ask(a, "server-kind"), { kind: "server", hasEngine: true });
          const gotA = next<[unknown]>(a, "broadcasted");
          const gotB = next<[unknown]>(b, "broadcasted");
          assert.equal(await ask(a, "broadcast", "all"), true);
          assert.deepEqual(await gotA, ["all"]);
          assert.deepEqual(await gotB, ["all"]);
        });

        it("supports rooms through the socket API", async () => {
          const a = await clients.connect(url);
          const b = await clients.connect(url);
          assert.deepEqual(await ask(a, "join", "r1"), ["r1"]);
          const got = next<[unknown]>(a, "room-message");
          assert.equal(await ask(b, "to-room", { room: "r1", data: "to r1" }), true);
          assert.deepEqual(await got, ["to r1"]);
        });

        it("binds the handlers of two gateways on the same socket", async () => {
          const c = await clients.connect(url);
          assert.deepEqual(await ask(c, "second", 1), { from: "second", data: 1 });
          assert.equal(await ask(c, "echo", 2), 2);
          await until(() => rec.named("connect:second").length > 0);
        });

        it("serves a namespaced gateway with the Namespace injected", async () => {
          const c = await clients.connect(url, "/chat");
          assert.deepEqual(await ask(c, "hi", "there"), {
            nsp: "/chat",
            server: { kind: "namespace", name: "/chat" },
            data: "there",
          });
          const got = next<[unknown]>(c, "shouted");
          assert.equal(await ask(c, "shout", "loud"), true);
          assert.deepEqual(await got, ["loud"]);
          assert.ok(rec.named("connect:chat").some((e) => e[0] === "/chat"));
        });

        it("does not run root handlers in a namespace", async () => {
          const c = await clients.connect(url, "/chat");
          await assert.rejects(c.timeout(300).emitWithAck("echo", 1));
        });

        it("serves a RegExp namespace (dynamic namespaces)", async () => {
          const one = await clients.connect(url, "/dyn-1");
          const two = await clients.connect(url, "/dyn-22");
          assert.equal(await ask(one, "where"), "/dyn-1");
          assert.equal(await ask(two, "where"), "/dyn-22");
          const gotOne = next<[unknown]>(one, "dyn-broadcasted");
          const gotTwo = next<[unknown]>(two, "dyn-broadcasted");
          assert.equal(await ask(one, "dyn-broadcast", "d"), true);
          assert.deepEqual(await gotOne, ["d"]);
          assert.deepEqual(await gotTwo, ["d"]);
        });

        it("refuses an unknown namespace", async () => {
          const c = clients.open(url, "/nope");
          const [err] = await next<[Error]>(c, "connect_error");
          assert.equal(err.message, "Invalid namespace");
        });

        it("calls handleConnection and handleDisconnect with the reason", async () => {
          const c = await clients.connect(url);
          const id = c.id;
          assert.ok(id);
          await until(() => rec.sockets.has(id));
          c.disconnect();
          await until(() => rec.named("disconnect:main").some((e) => e[0] === id));
          const entry = rec.named("disconnect:main").find((e) => e[0] === id);
          assert.deepEqual(entry, [id, reasonAsSeenByGateway("client namespace disconnect")]);
        });

        it("removes the socket's message listeners on disconnect", async () => {
          const c = await clients.connect(url);
          const id = c.id;
          assert.ok(id);
          await until(() => rec.sockets.has(id));
          const serverSocket = rec.sockets.get(id);
          assert.ok(serverSocket);
          assert.equal(serverSocket.listeners("echo").length, 1);
          assert.equal(serverSocket.listeners("second").length, 1);
          c.disconnect();
          await until(() => rec.named("disconnect:main").some((e) => e[0] === id));
          await until(() => serverSocket.listeners("echo").length === 0, undefined, "echo listeners removed");
          assert.equal(serverSocket.listeners("second").length, 0);
        });

        it("reports a server-side disconnect with its reason", async () => {
          const c = await clients.connect(url);
          const id = c.id;
          assert.ok(id);
          await until(() => rec.sockets.has(id));
          const gone = next<[string]>(c, "disconnect");
          rec.sockets.get(id)?.disconnect(true);
          assert.equal((await gone)[0], "io server disconnect");
          await until(() => rec.named("disconnect:main").some((e) => e[0] === id));
          assert.deepEqual(rec.named("disconnect:main").find((e) => e[0] === id), [id, reasonAsSeenByGateway("server namespace disconnect")]);
        });
      });

      describe("a gateway on a separate port", () => {
        const rec = new Recorder();
        const clients = new Clients();
        let started: StartedApp;
        let port = 0;

        before(async () => {
          port = await freePort();
          started = await startApp(platform, separatePortModule(port, rec), makeAdapter);
        });
        afterEach(() => clients.closeAll());
        after(() => started.close());

        it("listens on its own port while port-0 gateways share the app's server", async () => {
          const shared = await clients.connect(started.url);
          const separate = await clients.connect(`http://127.0.0.1:${port}`);
          assert.equal(await ask(shared, "where"), "shared");
          assert.equal(await ask(separate, "where"), "separate");
          assert.deepEqual(rec.named("afterInit:separate"), [[{ kind: "server", hasEngine: true }]]);
        });

        it("answers 404 to other HTTP requests on the separate port", async () => {
          const res = await fetch(`http://127.0.0.1:${port}/not-socket-io`, { signal: AbortSignal.timeout(WAIT_MS) });
          await res.arrayBuffer();
          assert.equal(res.status, 404);
        });
      });

      // Nest 11 never instantiates a gateway whose dependency tree is not static; Nest 12 builds one gateway
      // (and its REQUEST-scoped providers) per socket, keyed by a context id it defines on the socket object.
      const noRequestScope = NEST_MAJOR < 12 ? `Nest ${NEST_MAJOR} has no request-scoped gateways (Nest 12 has)` : false;
      describe("request-scoped gateways", { skip: noRequestScope }, () => {
        const rec = new Recorder();
        const clients = new Clients();
        let started: StartedApp;

        before(async () => {
          started = await startApp(platform, requestScopeModule(rec), makeAdapter);
        });
        afterEach(() => clients.closeAll());
        after(() => started.close());

        it("gives each socket its own gateway and provider, with REQUEST being the socket", async () => {
          const a = await clients.connect(started.url, "/scoped");
          const b = await clients.connect(started.url, "/scoped");
          type Count = { mine: boolean; serial: number; count: number; server: unknown };
          const first = (await ask(a, "count")) as Count;
          assert.deepEqual(first, { mine: true, serial: first.serial, count: 1, server: { kind: "namespace", name: "/scoped" } });
          assert.deepEqual(await ask(a, "count"), { ...first, count: 2 });
          const other = (await ask(b, "count")) as Count;
          assert.deepEqual(other, { ...first, serial: other.serial });
          assert.notEqual(other.serial, first.serial);
          assert.deepEqual(rec.named("state-created").map((e) => e[0]).sort(), [a.id, b.id].sort());
        });

        it("runs handleConnection and handleDisconnect on that socket's instance, then forgets it", async () => {
          const c = await clients.connect(started.url, "/scoped");
          const id = c.id;
          assert.ok(id);
          await until(() => rec.named("scoped-connect").some((e) => e[0] === id));
          const [, connectState, serial] = rec.named("scoped-connect").find((e) => e[0] === id) ?? [];
          assert.equal(connectState, id);
          assert.equal(((await ask(c, "count")) as { serial: number }).serial, serial);
          const serverSocket = rec.sockets.get(id);
          assert.ok(serverSocket);
          assert.equal(serverSocket.listeners("count").length, 1);
          c.disconnect();
          await until(() => rec.named("scoped-disconnect").some((e) => e[0] === id));
          assert.deepEqual(rec.named("scoped-disconnect").find((e) => e[0] === id), [id, id, serial]);
          await until(() => serverSocket.listeners("count").length === 0, undefined, "count listeners removed");
          const contextKeys = Object.getOwnPropertySymbols(serverSocket).map(String).filter((k) => k.includes("REQUEST_CONTEXT_ID"));
          assert.deepEqual(contextKeys, [], "the request context id is removed from the socket");
        });
      });

      describe("shutdown", () => {
        for (const forceCloseConnections of [false, true]) {
          // The stock IoAdapter leaves socket.io running when forceCloseConnections is set, and Fastify
          // does not destroy upgraded/long-polling connections, so app.close() never resolves there.
          const skip = platform === "fastify" && forceCloseConnections && opts.stockGaps === true
            ? "stock IoAdapter: app.close() hangs on Fastify with forceCloseConnections"
            : false;
          it(`app.close() disconnects connected clients (forceCloseConnections: ${forceCloseConnections})`, { skip }, async (t) => {
            const rec = new Recorder();
            const clients = new Clients();
            t.after(() => clients.closeAll());
            const started = await startApp(platform, minimalModule(rec), makeAdapter, { forceCloseConnections });
            t.after(() => started.close());
            const c = await clients.connect(started.url);
            const ws = await clients.connect(started.url, "/", { transports: ["websocket"] });
            assert.equal(await ask(c, "ping"), "pong");
            assert.equal(await ask(ws, "ping"), "pong");
            const gone = next<[string]>(c, "disconnect");
            const goneWs = next<[string]>(ws, "disconnect");
            await withTimeout(started.close(), undefined, "app.close()");
            assert.equal((await gone)[0], "transport close");
            assert.equal((await goneWs)[0], "transport close");
            await until(() => rec.named("disconnect").length === 2);
            // The client sees the same thing from both adapters. On the server, ours closes the Socket.IO
            // server first even with forceCloseConnections (gateways see "server shutting down", as without
            // it); the stock one leaves socket.io running and its engine closes when the HTTP server does
            // ("forced close"). Only Nest 12 passes the reason on to handleDisconnect.
            const closedBy = forceCloseConnections && opts.stockGaps === true ? "forced close" : "server shutting down";
            const reason = reasonAsSeenByGateway(closedBy);
            assert.deepEqual(rec.named("disconnect").map((e) => e[1]), [reason, reason]);
          });
        }
      });
    });
  }
}
