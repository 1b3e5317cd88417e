/**
 * @module test/compat/recovery-order — on a restored session the missed events are written
 * before the CONNECT reply, as socket.io does: socket.io-client buffers them and delivers them
 * just before `connect`, and apps written for socket.io see that order.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, waitFor } from "./support.js";

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    test("missed events reach the client before connect on a recovered session", async (t) => {
      const s = await setup(t, { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } }, Server);
      const connected = waitFor<[Socket]>(s.io, "connection");
      const c = s.client("/", { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
      const log: string[] = [];
      c.on("connect", () => log.push(`connect:${String(c.recovered)}`));
      c.on("news", (n: string) => log.push(n));
      await waitFor(c, "connect");
      const [first] = await connected;
      const before = waitFor(c, "news");
      first.emit("news", "before");
      await before;
      const gone = waitFor(first, "disconnect");
      const reconnected = waitFor(c, "connect");
      c.io.engine.close();
      await gone;
      s.io.emit("news", "missed-1");
      s.io.emit("news", "missed-2");
      await reconnected;
      assert.equal(c.recovered, true);
      assert.deepEqual(log, ["connect:false", "before", "missed-1", "missed-2", "connect:true"]);
    });
  });
}
