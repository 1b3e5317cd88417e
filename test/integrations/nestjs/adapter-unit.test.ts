/**
 * @module test/integrations/nestjs/adapter-unit.test — SocketeerAdapter's contract methods on a fake socket,
 * compared with the stock IoAdapter where it has the same method (payload mapping, listener bookkeeping).
 */
import "reflect-metadata";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { IoAdapter } from "@nestjs/platform-socket.io";
import { from, of, throwError, type Observable } from "rxjs";
import { SocketeerAdapter, mapPayload } from "../../../integrations/nestjs/index.js";
import { collapseArgs } from "../../../integrations/nestjs/payload.js";

class FakeSocket extends EventEmitter {
  disconnectedWith: unknown[] | undefined;
  disconnect(...args: unknown[]): this {
    this.disconnectedWith = args;
    return this;
  }
}

/** Nest's transform: value / Promise / Observable → Observable. */
function transform(result: unknown): Observable<unknown> {
  if (result instanceof Promise) return from(result);
  if (result !== null && typeof result === "object" && "subscribe" in result) return result as Observable<unknown>;
  return of(result);
}

const ack = (): void => {};

describe("payload mapping", () => {
  const stock = new IoAdapter();
  const cases: Array<[string, unknown]> = [
    ["no argument", undefined],
    ["one value", "a"],
    ["an object", { a: 1 }],
    ["only an ack", ack],
    ["one value and an ack", ["a", ack]],
    ["two values and an ack", ["a", "b", ack]],
    ["two values", ["a", "b"]],
    ["an array with only an ack", [ack]],
    ["an empty array", []],
  ];
  for (const [name, payload] of cases) {
    it(`maps ${name} like the stock IoAdapter`, () => {
      assert.deepEqual(mapPayload(payload), stock.mapPayload(payload));
    });
  }

  it("collapses listener arguments like rxjs fromEvent", () => {
    assert.equal(collapseArgs([]), undefined);
    assert.equal(collapseArgs(["a"]), "a");
    assert.deepEqual(collapseArgs(["a", "b"]), ["a", "b"]);
  });
});

describe("SocketeerAdapter on a fake socket", () => {
  function bindTwoGateways(adapter: SocketeerAdapter | IoAdapter, socket: FakeSocket, calls: unknown[][]): void {
    const handler = (message: string, isAckHandledManually = false) => ({
      message,
      isAckHandledManually,
      callback: (...args: unknown[]) => {
        calls.push([message, ...args]);
        return Promise.resolve(message === "boom" ? Promise.reject(new Error("x")) : `re:${message}`) as never;
      },
    });
    adapter.bindMessageHandlers(socket as never, [handler("a"), handler("boom")] as never, transform as never);
    adapter.bindMessageHandlers(socket as never, [handler("b")] as never, transform as never);
  }

  for (const [name, make] of [
    ["SocketeerAdapter", () => new SocketeerAdapter()],
    ["stock IoAdapter", () => new IoAdapter()],
  ] as const) {
    it(`${name}: one disconnect listener per socket across gateways, all removed on disconnect`, () => {
      const adapter = make();
      const socket = new FakeSocket();
      bindTwoGateways(adapter, socket, []);
      assert.equal(socket.listenerCount("disconnect"), 1);
      assert.equal(socket.listenerCount("a"), 1);
      assert.equal(socket.listenerCount("b"), 1);
      socket.emit("disconnect", "transport close");
      assert.equal(socket.listenerCount("a"), 0);
      assert.equal(socket.listenerCount("b"), 0);
      assert.equal(socket.listenerCount("disconnect"), 0);
    });
  }

  it("acks a value, emits a WsResponse, and leaves the ack alone when handled manually", async () => {
    const adapter = new SocketeerAdapter();
    const socket = new FakeSocket();
    const acks: unknown[] = [];
    const emitted: unknown[][] = [];
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (["value", "response", "manual", "disconnect"].includes(event)) return EventEmitter.prototype.emit.call(socket, event, ...args);
      emitted.push([event, ...args]);
      return true;
    }) as FakeSocket["emit"];
    adapter.bindMessageHandlers(
      socket as never,
      [
        { message: "value", isAckHandledManually: false, callback: (data: unknown) => of({ got: data }) },
        { message: "response", isAckHandledManually: false, callback: () => of({ event: "reply", data: 1 }) },
        { message: "manual", isAckHandledManually: true, callback: () => of("not acked") },
      ],
      transform as never,
    );
    socket.emit("value", "v", (r: unknown) => acks.push(r));
    socket.emit("response", (r: unknown) => acks.push(r));
    socket.emit("manual", (r: unknown) => acks.push(r));
    assert.deepEqual(acks, [{ got: "v" }]);
    assert.deepEqual(emitted, [["reply", 1]]);
  });

  it("keeps handling an event whose handler threw or whose stream failed", () => {
    const adapter = new SocketeerAdapter();
    const socket = new FakeSocket();
    let calls = 0;
    adapter.bindMessageHandlers(
      socket as never,
      [
        {
          message: "flaky",
          isAckHandledManually: false,
          callback: () => {
            calls++;
            if (calls === 1) throw new Error("sync");
            if (calls === 2) return throwError(() => new Error("stream")) as never;
            return of("ok") as never;
          },
        },
      ],
      transform as never,
    );
    const acks: unknown[] = [];
    socket.emit("flaky", () => acks.push("first"));
    socket.emit("flaky", () => acks.push("second"));
    socket.emit("flaky", (r: unknown) => acks.push(r));
    assert.equal(calls, 3);
    assert.deepEqual(acks, ["ok"]);
  });

  it("passes the disconnect reason to bindClientDisconnect's callback, once", () => {
    const adapter = new SocketeerAdapter();
    const socket = new FakeSocket();
    const reasons: unknown[] = [];
    adapter.bindClientDisconnect(socket as never, (reason: unknown) => reasons.push(reason));
    socket.emit("disconnect", "client namespace disconnect");
    socket.emit("disconnect", "again");
    assert.deepEqual(reasons, ["client namespace disconnect"]);
  });

  it("closeClient closes the underlying connection", () => {
    const adapter = new SocketeerAdapter();
    const socket = new FakeSocket();
    adapter.closeClient(socket as never);
    assert.deepEqual(socket.disconnectedWith, [true]);
  });

  it("close() of a namespace and dispose() do nothing", async () => {
    const adapter = new SocketeerAdapter();
    let closed = false;
    await adapter.close({ name: "/chat", close: () => (closed = true) } as never);
    await adapter.dispose();
    assert.equal(closed, false);
  });
});
