/**
 * @module test/compat/disconnection — after a socket disconnects: `join()` does nothing, and an
 * incoming event whose dispatch had not run yet (the DISCONNECT came in the same batch) is
 * dropped, on socket.io and on Socketeer alike.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, rawSession, setup, waitFor } from "./support.js";

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("join() after disconnection does nothing", async (t) => {
      const s = await setup(t, undefined, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = await s.connect();
      const [socket] = await connected;
      const gone = waitFor(socket, "disconnect");
      c.disconnect();
      await gone;
      await socket.join("late-room");
      assert.equal(s.io.sockets.adapter.rooms.has("late-room"), false);
      assert.equal(s.io.sockets.adapter.sids.has(socket.id), false);
    });

    test("an event after the DISCONNECT in the same batch is dropped, the connection stays", async (t) => {
      const s = await setup(t, undefined, Server);
      const { poll, socket } = await rawSession(s);
      const seen: string[] = [];
      socket.on("late", () => seen.push("late"));
      const gone = waitFor<[string]>(socket, "disconnect");
      await poll.post('41\x1e42["late"]');
      assert.equal((await gone)[0], "client namespace disconnect");
      // the connection is still open: the namespace can be joined again on it
      const again = waitFor<[Socket]>(s.io, "connection");
      await poll.post("40");
      const [socket2] = await again;
      assert.equal(socket2.conn, socket.conn);
      assert.deepEqual(seen, []);
    });

    test("an event before the DISCONNECT in the same batch is dropped too (its dispatch runs a tick later)", async (t) => {
      const s = await setup(t, undefined, Server);
      const { poll, socket } = await rawSession(s);
      const seen: string[] = [];
      socket.on("early", () => seen.push("early"));
      const gone = waitFor<[string]>(socket, "disconnect");
      await poll.post('42["early"]\x1e41');
      assert.equal((await gone)[0], "client namespace disconnect");
      // one more round trip on the connection, so a late dispatch would have run
      const again = waitFor<[Socket]>(s.io, "connection");
      await poll.post("40");
      await again;
      assert.deepEqual(seen, []);
    });
  });
}
