/**
 * @module test/compat/volatile — `volatile` is decided once per Socket.IO packet: a
 * BINARY_EVENT goes out whole (header and attachments) or not at all, never half (the client's
 * decoder would then take the next binary packet's frames as the missing attachments).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, waitFor } from "./support.js";

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("a volatile binary emit on an idle WebSocket arrives whole, and the next binary packet intact", async (t) => {
      const s = await setup(t, undefined, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = await s.connect("/", { transports: ["websocket"] });
      const [socket] = await connected;
      const got: [string, number[]][] = [];
      c.onAny((ev: string, buf: ArrayBuffer | Buffer) => got.push([ev, [...new Uint8Array(buf)]]));
      const arrived = waitFor(c, "after");
      socket.volatile.emit("bin", Buffer.from([1, 2, 3]));
      socket.emit("after", Buffer.from([9]));
      await arrived;
      assert.deepEqual(got, [
        ["bin", [1, 2, 3]],
        ["after", [9]],
      ]);
    });

    test("a volatile binary broadcast on an idle WebSocket arrives whole", async (t) => {
      const s = await setup(t, undefined, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = await s.connect("/", { transports: ["websocket"] });
      await connected;
      const got: [string, number[]][] = [];
      c.onAny((ev: string, buf: ArrayBuffer | Buffer) => got.push([ev, [...new Uint8Array(buf)]]));
      const arrived = waitFor(c, "after");
      s.io.volatile.emit("bin", Buffer.from([4, 5]));
      s.io.emit("after", Buffer.from([7]));
      await arrived;
      assert.deepEqual(got, [
        ["bin", [4, 5]],
        ["after", [7]],
      ]);
    });

    test("a volatile binary emit while polling is not writable is dropped whole", async (t) => {
      const s = await setup(t, undefined, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = await s.connect("/", { transports: ["polling"] });
      const [socket] = await connected;
      const got: [string, number[]][] = [];
      c.onAny((ev: string, buf?: ArrayBuffer | Buffer) => got.push([ev, buf === undefined ? [] : [...new Uint8Array(buf)]]));
      const arrived = waitFor(c, "after");
      // the pending GET takes "first"; until the client polls again the transport is not writable
      socket.emit("first");
      socket.volatile.emit("bin", Buffer.from([1]));
      socket.emit("after", Buffer.from([8]));
      await arrived;
      assert.deepEqual(got, [
        ["first", []],
        ["after", [8]],
      ]);
    });
  });
}
