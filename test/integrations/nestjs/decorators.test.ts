/**
 * @module test/integrations/nestjs/decorators.test — the framework-neutral handler decorators on a plain
 * node:http server (and with the Fastify plugin and the Express helper): acks from return values and Promises, parameter decorators, namespaces (RegExp too),
 * connection/disconnect hooks, the error shape, and unregistering.
 */
import "reflect-metadata";
import assert from "node:assert/strict";
import { afterEach, describe, it, type TestContext } from "node:test";
import { Server } from "../../../core/index.js";
import {
  AckCallback,
  Args,
  Client,
  DisconnectReason,
  HandlerError,
  Namespace,
  On,
  OnConnection,
  OnDisconnect,
  Payload,
  registerHandlers,
} from "../../../integrations/decorators/index.js";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { socketeer as expressSocketeer } from "../../../integrations/express/index.js";
import fastifySocketeer from "../../../integrations/fastify/index.js";
import { closeServer, listen } from "../../helpers/listen.js";
import { until } from "../../helpers/wait.js";
import { ask, Clients, next } from "./fixtures/app.js";

interface ServerSideSocket {
  id: string;
  data: Record<string, unknown>;
  nsp: { name: string };
  listeners(event: string): unknown[];
  emit(event: string, ...args: unknown[]): unknown;
}

class Log {
  readonly entries: unknown[][] = [];
}

class RootHandlers {
  readonly #log: Log;

  constructor(log: Log) {
    this.#log = log;
  }

  @OnConnection()
  connected(socket: ServerSideSocket): void {
    socket.data.greeted = true;
    this.#log.entries.push(["connect", socket.nsp.name]);
  }

  @OnDisconnect()
  disconnected(@Client() socket: ServerSideSocket, @DisconnectReason() reason: string): void {
    this.#log.entries.push(["disconnect", socket.id, reason]);
  }

  @On("echo")
  echo(@Payload() value: unknown): unknown {
    return value;
  }

  @On("sum")
  async sum(@Payload(0) a: number, @Payload(1) b: number): Promise<number> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return a + b;
  }

  @On("all")
  all(@Args() args: unknown[], @Client() socket: ServerSideSocket): unknown {
    return { args, greeted: socket.data.greeted };
  }

  @On("positional")
  positional(socket: ServerSideSocket, first: unknown, second: unknown): unknown {
    return { id: socket.id, first, second };
  }

  @On("manual")
  manual(@Payload() value: unknown, @AckCallback() ack: ((...args: unknown[]) => void) | undefined): string {
    ack?.("manual", value);
    return "not sent";
  }

  @On("notify")
  notify(@Client() socket: ServerSideSocket, @Payload() value: unknown): void {
    socket.emit("notified", value);
  }

  @On("refuse")
  refuse(): never {
    throw new HandlerError("room is full", { code: "ROOM_FULL", data: { max: 2 } });
  }

  @On("crash")
  async crash(): Promise<never> {
    await Promise.resolve();
    throw new Error("secret internals");
  }
}

@Namespace("/chat")
class ChatHandlers {
  @OnConnection()
  connected(socket: ServerSideSocket): void {
    if ((socket as unknown as { handshake: { auth: { name?: unknown } } }).handshake.auth.name === "mallory") {
      throw new HandlerError("banned", { code: "BANNED" });
    }
  }

  @On("where")
  where(@Client() socket: ServerSideSocket): string {
    return socket.nsp.name;
  }
}

@Namespace(/^\/room-\d+$/)
class RoomHandlers {
  @On("where")
  where(@Client() socket: ServerSideSocket): string {
    return socket.nsp.name;
  }
}

class Undecorated {
  hello(): string {
    return "hi";
  }
}

async function setup(t: TestContext, onError?: (err: unknown, ctx: { event: string }) => void) {
  const { server, url } = await listen(t);
  const io = new Server(server);
  t.after(() => new Promise<void>((resolve) => io.close(() => resolve())));
  const log = new Log();
  const unregister = registerHandlers(io, [new RootHandlers(log), new ChatHandlers(), new RoomHandlers()], onError ? { onError } : {});
  return { io, url, log, unregister };
}

describe("handler decorators on a plain node:http server", () => {
  const clients = new Clients();
  afterEach(() => clients.closeAll());

  it("acks return values and resolved Promises", async (t) => {
    const { url } = await setup(t);
    const c = await clients.connect(url);
    assert.deepEqual(await ask(c, "echo", { a: 1 }), { a: 1 });
    assert.equal(await ask(c, "sum", 2, 3), 5);
  });

  it("injects the socket, one argument, all arguments, or positional (socket, ...args)", async (t) => {
    const { url } = await setup(t);
    const c = await clients.connect(url);
    assert.deepEqual(await ask(c, "all", 1, "two"), { args: [1, "two"], greeted: true });
    assert.deepEqual(await ask(c, "positional", "x", "y"), { id: c.id, first: "x", second: "y" });
    const got = next<[unknown]>(c, "notified");
    c.emit("notify", "hey");
    assert.deepEqual(await got, ["hey"]);
  });

  it("lets a handler taking @AckCallback() ack by itself", async (t) => {
    const { url } = await setup(t);
    const c = await clients.connect(url);
    const reply = await new Promise<unknown[]>((resolve) => c.emit("manual", 7, (...args: unknown[]) => resolve(args)));
    assert.deepEqual(reply, ["manual", 7]);
  });

  it("sends a HandlerError through the ack, or as an exception event without one", async (t) => {
    const { url } = await setup(t);
    const c = await clients.connect(url);
    const expected = { status: "error", event: "refuse", message: "room is full", code: "ROOM_FULL", data: { max: 2 } };
    assert.deepEqual(await ask(c, "refuse"), expected);
    const exception = next<[unknown]>(c, "exception");
    c.emit("refuse");
    assert.deepEqual(await exception, [expected]);
  });

  it("hides other errors behind 'Internal server error' and reports them to onError", async (t) => {
    const reported: Array<[string, string]> = [];
    const { url } = await setup(t, (err, ctx) => reported.push([ctx.event, (err as Error).message]));
    const c = await clients.connect(url);
    assert.deepEqual(await ask(c, "crash"), { status: "error", event: "crash", message: "Internal server error" });
    assert.deepEqual(reported, [["crash", "secret internals"]]);
  });

  it("serves a class's @Namespace, a RegExp one included", async (t) => {
    const { url } = await setup(t);
    const chat = await clients.connect(url, "/chat");
    const room = await clients.connect(url, "/room-42");
    assert.equal(await ask(chat, "where"), "/chat");
    assert.equal(await ask(room, "where"), "/room-42");
    await assert.rejects(chat.timeout(300).emitWithAck("echo", 1));
  });

  it("rejects a connection whose @OnConnection() handler throws", async (t) => {
    const { url } = await setup(t);
    const c = clients.open(url, "/chat", { auth: { name: "mallory" } });
    const exception = next<[unknown]>(c, "exception");
    const gone = next<[string]>(c, "disconnect");
    assert.deepEqual(await exception, [{ status: "error", event: "connection", message: "banned", code: "BANNED" }]);
    assert.equal((await gone)[0], "io server disconnect");
  });

  it("runs @OnDisconnect() with the reason and removes the socket's listeners", async (t) => {
    const { io, url, log } = await setup(t);
    const c = await clients.connect(url);
    const id = c.id;
    assert.ok(id);
    const serverSocket = (io.of("/").sockets as Map<string, ServerSideSocket>).get(id);
    assert.ok(serverSocket);
    assert.equal(serverSocket.listeners("echo").length, 1);
    c.disconnect();
    await until(() => log.entries.some((e) => e[0] === "disconnect" && e[1] === id));
    assert.deepEqual(log.entries.find((e) => e[0] === "disconnect"), ["disconnect", id, "client namespace disconnect"]);
    assert.equal(serverSocket.listeners("echo").length, 0);
  });

  it("unregisters everything with the returned function", async (t) => {
    const { url, unregister } = await setup(t);
    const c = await clients.connect(url);
    assert.equal(await ask(c, "echo", 1), 1);
    unregister();
    await assert.rejects(c.timeout(300).emitWithAck("echo", 2));
  });

  it("refuses an instance without decorated handlers", () => {
    const io = { of: () => ({ on() {}, off() {} }) };
    assert.throws(() => registerHandlers(io, [new Undecorated()]), { code: "SKT_ERR_DECORATORS_NO_HANDLERS" });
    assert.throws(() => registerHandlers({} as never, []), { code: "SKT_ERR_INVALID_ARG" });
  });
});

describe("handler decorators with the Fastify plugin and the Express helper", () => {
  const clients = new Clients();
  afterEach(() => clients.closeAll());

  it("registers on app.io of the Fastify plugin", async (t) => {
    const app = Fastify();
    t.after(() => app.close());
    await app.register(fastifySocketeer);
    registerHandlers(app.io, [new RootHandlers(new Log()), new ChatHandlers()]);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const c = await clients.connect(`http://127.0.0.1:${port}`);
    const chat = await clients.connect(`http://127.0.0.1:${port}`, "/chat");
    assert.equal(await ask(c, "sum", 4, 5), 9);
    assert.equal(await ask(chat, "where"), "/chat");
  });

  it("registers on the Server of the Express helper", async (t) => {
    const app = express();
    const io = expressSocketeer(app);
    registerHandlers(io, [new RootHandlers(new Log())]);
    const server = app.listen(0, "127.0.0.1");
    t.after(() => new Promise<void>((resolve) => io.close(() => resolve())));
    t.after(() => closeServer(server));
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as AddressInfo;
    const c = await clients.connect(`http://127.0.0.1:${port}`);
    assert.deepEqual(await ask(c, "refuse"), {
      status: "error",
      event: "refuse",
      message: "room is full",
      code: "ROOM_FULL",
      data: { max: 2 },
    });
  });
});
