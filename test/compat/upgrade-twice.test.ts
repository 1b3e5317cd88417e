/**
 * @module test/compat/upgrade-twice — a WebSocket upgrade for a session that is already upgraded
 * or upgrading: the WebSocket handshake completes, then that WebSocket is closed (engine.io's
 * behaviour, Engine.IO v4 spec), never an HTTP 400; the session keeps working. socket.io and
 * Socketeer, on the raw wire.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../core/index.js";
import { RawPolling, RawWebSocket } from "../helpers/raw-engine-client.js";
import { withTimeout } from "../helpers/wait.js";
import { IMPLEMENTATIONS, rawSession, setup, waitFor, type Setup } from "./support.js";

async function pollingSocket(s: Setup): Promise<{ poll: RawPolling; socket: Socket; wsBase: string }> {
  const { poll, socket } = await rawSession(s);
  return { poll, socket, wsBase: `ws://127.0.0.1:${s.port}/socket.io/` };
}

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    for (const state of ["upgraded", "upgrading"] as const) {
      test(`a second upgrade of an ${state} session completes its handshake, is closed, and the session goes on`, async (t) => {
        const s = await setup(t, undefined, Server);
        const { poll, socket, wsBase } = await pollingSocket(s);
        const first = await RawWebSocket.connect(wsBase, poll.sid);
        t.after(() => first.close());
        // release the parked GET the probe answers with a noop
        const parked = poll.poll();
        first.send("2probe");
        assert.equal(await first.next(), "3probe");
        assert.equal((await parked).body, "6");
        if (state === "upgraded") {
          const upgraded = waitFor(socket.conn, "upgrade");
          first.send("5");
          await upgraded;
        }
        // the second WebSocket opens (101) and is then closed by the server
        const second = await RawWebSocket.connect(wsBase, poll.sid);
        t.after(() => second.close());
        await withTimeout(second.closed, undefined, "the second WebSocket to be closed");
        if (state === "upgrading") {
          const upgraded = waitFor(socket.conn, "upgrade");
          first.send("5");
          await upgraded;
        }
        const got = waitFor(socket, "still");
        first.send('42["still","here"]');
        assert.deepEqual(await got, ["here"]);
      });
    }
  });
}
