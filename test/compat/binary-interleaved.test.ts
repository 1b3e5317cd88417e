/**
 * @module test/compat/binary-interleaved — binary packets' attachments are each connection's own
 * state: two connections whose binary packets arrive interleaved, with text packets in between,
 * each get their own buffers (Socketeer decodes packets without attachments with one decoder
 * shared by the connections and gives a connection its own only for attachments; issue 18).
 * Run on socket.io and on Socketeer.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { RawWebSocket } from "../helpers/raw-engine-client.js";
import { IMPLEMENTATIONS, setup, waitFor } from "./support.js";

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("two connections' binary packets interleaved: each gets its own attachments", async (t) => {
      const s = await setup(t, undefined, Server);
      const open = async (): Promise<{ ws: RawWebSocket; socket: Socket }> => {
        const ws = await RawWebSocket.connect(`ws://127.0.0.1:${s.port}/socket.io/`);
        t.after(() => ws.close());
        assert.match(String(await ws.next()), /^0\{/);
        const connected = waitFor<[Socket]>(s.io, "connection");
        ws.send("40");
        const [socket] = await connected;
        assert.match(String(await ws.next()), /^40\{"sid":/);
        return { ws, socket };
      };
      const a = await open();
      const b = await open();
      const got = (socket: Socket, count: number): Promise<unknown[][]> =>
        new Promise((resolve) => {
          const all: unknown[][] = [];
          socket.onAny((...args: unknown[]) => {
            all.push(args);
            if (all.length === count) resolve(all);
          });
        });
      const fromA = got(a.socket, 3);
      const fromB = got(b.socket, 3);
      a.ws.send('42["before"]');
      a.ws.send('452-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
      b.ws.send('42["text"]');
      b.ws.send('451-["up",{"_placeholder":true,"num":0}]');
      a.ws.send(Buffer.from([1]));
      b.ws.send(Buffer.from([7, 7]));
      a.ws.send(Buffer.from([2]));
      a.ws.send('42["after"]');
      b.ws.send('42["after"]');
      const [ea, eb] = await Promise.all([fromA, fromB]);
      assert.deepEqual(ea, [["before"], ["up", Buffer.from([1]), Buffer.from([2])], ["after"]]);
      assert.deepEqual(eb, [["text"], ["up", Buffer.from([7, 7])], ["after"]]);
    });

    test("an attachment nobody announced closes that connection only", async (t) => {
      const s = await setup(t, undefined, Server);
      s.io.on("connection", (socket) => socket.on("ping?", (ack: (a: string) => void) => ack("pong")));
      const other = await s.connect("/", { transports: ["websocket"] });
      const ws = await RawWebSocket.connect(`ws://127.0.0.1:${s.port}/socket.io/`);
      t.after(() => ws.close());
      await ws.next();
      const connected = waitFor<[Socket]>(s.io, "connection");
      ws.send("40");
      const [socket] = await connected;
      await ws.next();
      const disconnected = waitFor<[string]>(socket, "disconnect");
      ws.send(Buffer.from([1, 2]));
      assert.equal((await disconnected)[0], "forced close");
      assert.equal(await other.emitWithAck("ping?"), "pong");
    });
  });
}
