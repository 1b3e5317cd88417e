/**
 * @module test/compat/protocol-violations — what a connection that breaks the Socket.IO
 * protocol gets, on socket.io and on Socketeer: a second CONNECT for a joined namespace closes
 * the connection; a packet the decoder refuses emits `error` on each socket, then the connection
 * closes with `forced close`; a server-side close that waits for the next long-poll GET goes
 * out on it as a noop then the close (`6␞1`).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Decoder as SocketIoDecoder } from "socket.io-parser";
import type { Socket } from "../../core/index.js";
import { Decoder } from "../../core/parser/index.js";
import { RawPolling } from "../helpers/raw-engine-client.js";
import { IMPLEMENTATIONS, rawSession, setup, waitFor } from "./support.js";

/** The message a decoder throws for `input`. */
function refusal(D: new () => { add(chunk: string): void }, input: string): string {
  try {
    new D().add(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`the decoder accepts ${input}`);
}

for (const { name, Server } of IMPLEMENTATIONS) {
  const D = (name === "socket.io" ? SocketIoDecoder : Decoder) as unknown as new () => { add(chunk: string): void };

  describe(name, () => {
    test("a second CONNECT for a joined namespace closes the connection", async (t) => {
      const s = await setup(t, undefined, Server);
      const poll = new RawPolling(`${s.url}/socket.io/`);
      await poll.handshake();
      const connected = waitFor<[Socket]>(s.io, "connection");
      assert.equal((await poll.post("40")).body, "ok");
      const [socket] = await connected;
      assert.match((await poll.poll()).body, /^40\{"sid":/);
      const disconnected = waitFor<[string]>(socket, "disconnect");
      await poll.post("40");
      assert.equal((await disconnected)[0], "forced server close");
      const next = await poll.poll();
      // the close packet (after a noop when the close waited for this GET), or an unknown session
      assert.ok(next.status === 400 || /(^|\x1e)1$/.test(next.body), `${next.status} ${next.body}`);
    });

    test("connect() on a socket still connecting (a second CONNECT in the same turn) keeps the connection", async (t) => {
      const s = await setup(t, undefined, Server);
      s.io.of("/admin");
      const c = await s.connect("/", { transports: ["websocket"] });
      // the Manager is open: socket() sends CONNECT at once, connect() sends another
      const admin = c.io.socket("/admin");
      admin.connect();
      if (!admin.connected) await waitFor(admin, "connect");
      // socket.io keeps two sockets there (the second CONNECT makes another); the client uses the last
      const socket = [...s.io.of("/admin").sockets.values()].find((x) => x.id === admin.id);
      const got = waitFor(socket!, "ping");
      admin.emit("ping", 1);
      assert.deepEqual(await got, [1]);
      assert.equal(c.connected, true);
      assert.equal(admin.connected, true);
    });

    for (const input of ['5x-["a"]', '2["a"']) {
      test(`a packet the decoder refuses (${input}) emits error on each socket, then closes with forced close`, async (t) => {
        const s = await setup(t, undefined, Server);
        const connected = waitFor<[Socket]>(s.io, "connection");
        const c = await s.connect("/", { transports: ["websocket"] });
        const [socket] = await connected;
        const admin = s.io.of("/admin");
        const adminConnected = waitFor<[Socket]>(admin, "connection");
        // a second namespace on the same connection, over the same Manager
        c.io.socket("/admin");
        const [adminSocket] = await adminConnected;
        const errors: string[] = [];
        socket.on("error", (err) => errors.push(`/:${err.message}`));
        adminSocket.on("error", (err) => errors.push(`/admin:${err.message}`));
        const reasons = Promise.all([waitFor<[string]>(socket, "disconnect"), waitFor<[string]>(adminSocket, "disconnect")]);
        c.io.engine.send(input);
        const [[r1], [r2]] = await reasons;
        assert.deepEqual([r1, r2], ["forced close", "forced close"]);
        const message = refusal(D, input);
        assert.deepEqual(errors.sort(), [`/:${message}`, `/admin:${message}`].sort());
      });
    }

    test("a server-side close waiting for the next GET goes out as a noop then the close", async (t) => {
      const s = await setup(t, undefined, Server);
      const { poll, socket } = await rawSession(s);
      // no GET is parked: the close has to wait for the next one
      socket.conn.close();
      const next = await poll.poll();
      assert.equal(next.body, "6\x1e1");
    });
  });
}
