/**
 * @module test/types/typed-events — compile-time checks of the typed event maps threaded through
 * Server, Namespace, Socket, BroadcastOperator and RemoteSocket. `npm test` type-checks first,
 * so a wrong type fails the run; the runtime part only makes the file a valid test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Server, type RemoteSocket, type Socket } from "../../core/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

interface ClientToServer {
  hello: (name: string, ack: (greeting: string) => void) => void;
  move: (x: number, y: number) => void;
}
interface ServerToClient {
  news: (headline: string) => void;
  ask: (question: string, ack: (answer: number) => void) => void;
}
interface InterServer {
  ping: () => void;
  count: (ack: (n: number) => void) => void;
}
interface Data {
  user: string;
}

function checks(io: Server<ClientToServer, ServerToClient, InterServer, Data>): void {
  io.on("connection", (socket) => {
    expectType<Equal<typeof socket, Socket<ClientToServer, ServerToClient, InterServer, Data>>>(true);
    expectType<Equal<typeof socket.data, Data>>(true);

    socket.on("hello", (name, ack) => {
      expectType<Equal<typeof name, string>>(true);
      ack(`hi ${name}`);
      // @ts-expect-error: the ack takes a string
      ack(42);
    });
    socket.on("move", (x, y) => expectType<Equal<typeof x | typeof y, number>>(true));
    socket.on("disconnect", (reason) => expectType<Equal<typeof reason extends string ? true : false, true>>(true));

    socket.emit("news", "headline");
    // @ts-expect-error: news takes a string
    socket.emit("news", 1);
    // @ts-expect-error: unknown event
    socket.emit("nope");
    socket.emit("ask", "q?", (answer) => expectType<Equal<typeof answer, number>>(true));
    socket.timeout(1_000).emit("ask", "q?", (err, answer) => {
      expectType<Equal<typeof err, Error>>(true);
      expectType<Equal<typeof answer, number>>(true);
    });
    void socket.emitWithAck("ask", "q?").then((answer) => expectType<Equal<typeof answer, number>>(true));
    socket.to("room").emit("news", "x");
    // @ts-expect-error: news takes a string, also for broadcasts
    socket.broadcast.emit("news", false);
  });

  io.emit("news", "to everyone");
  // @ts-expect-error: a broadcast without timeout cannot take an ack in the emit map of io
  io.emit("ask", "q?", () => {});
  io.timeout(1_000).emit("ask", "q?", (err, answers) => {
    expectType<Equal<typeof err, Error>>(true);
    expectType<Equal<typeof answers, number[]>>(true);
  });
  void io.timeout(1_000).emitWithAck("ask", "q?").then((answers) => expectType<Equal<typeof answers, number[]>>(true));
  io.to("r").except("s").volatile.compress(true).emit("news", "x");
  io.serverSideEmit("ping");
  // @ts-expect-error: unknown server-side event
  io.serverSideEmit("pong");
  io.on("ping", () => {});
  io.serverSideEmit("count", (err, counts) => {
    expectType<Equal<typeof err, Error>>(true);
    expectType<Equal<typeof counts, number[]>>(true);
  });
  void io.serverSideEmitWithAck("count").then((counts) => expectType<Equal<typeof counts, number[]>>(true));

  void io.fetchSockets().then((sockets) => {
    const s = sockets[0]!;
    expectType<Equal<typeof s, RemoteSocket<ServerToClient, Data>>>(true);
    expectType<Equal<typeof s.data, Data>>(true);
    s.emit("news", "direct");
    // @ts-expect-error: news takes a string
    s.emit("news", 3);
  });

  const admin = io.of("/admin");
  admin.use((socket, next) => {
    expectType<Equal<typeof socket.data, Data>>(true);
    next();
  });
  admin.emit("news", "admins");
}

test("the typed-event checks compile (checked by tsc before the run)", () => {
  assert.equal(typeof checks, "function");
});
