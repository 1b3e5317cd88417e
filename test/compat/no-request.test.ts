/**
 * @module test/compat/no-request — a connection whose transport has no HTTP request (an engine
 * given to `io.bind()` that hands over such connections): the Socket.IO handshake is still
 * built, with empty headers and query and `secure: true`, on socket.io and on Socketeer.
 */
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, waitFor } from "./support.js";

/** The smallest Engine.IO connection both servers drive: no `request`. */
class RequestlessConnection extends EventEmitter {
  readonly id = "requestless";
  readonly protocol = 4;
  readonly remoteAddress = "in-process";
  readyState = "open";
  readonly transport = { name: "in-process", writable: true };
  readonly request = undefined;
  readonly written: unknown[] = [];

  write(data: unknown): this {
    this.written.push(data);
    this.emit("written", data);
    return this;
  }

  close(): this {
    if (this.readyState === "open") {
      this.readyState = "closed";
      this.emit("close", "forced close");
    }
    return this;
  }

  /** A frame from the client (socket.io reads "data", Socketeer "message"). */
  receive(frame: string): void {
    this.emit("data", frame);
    this.emit("message", frame);
  }
}

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("a connection without an HTTP request gets a handshake with empty headers and query, secure", async (t) => {
      const io = new Server();
      const engine = Object.assign(new EventEmitter(), { close() {} });
      io.bind(engine as never);
      const conn = new RequestlessConnection();
      t.after(() => {
        conn.close();
        return io.close();
      });
      const connected = waitFor<[Socket]>(io, "connection");
      engine.emit("connection", conn);
      conn.receive('0{"token":"t"}');
      const [socket] = await connected;
      assert.deepEqual({ ...socket.handshake.headers }, {});
      assert.deepEqual({ ...socket.handshake.query }, {});
      assert.equal(socket.handshake.secure, true);
      assert.equal(socket.handshake.xdomain, false);
      assert.deepEqual(socket.handshake.auth, { token: "t" });
      if (conn.written.length === 0) await waitFor(conn, "written");
      assert.match(String(conn.written[0]), /^0\{"sid":/);
    });
  });
}
