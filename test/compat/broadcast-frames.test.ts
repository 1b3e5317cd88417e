/**
 * A broadcast's WebSocket frame is built once and written to every recipient (issue 18): the
 * official client receives every payload length class intact (7-bit, 16-bit and 64-bit
 * lengths), in order, interleaved with packets to one socket, as with socket.io; with
 * perMessageDeflate on, ws frames it (compressed) instead.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Socket as ClientSocket } from "socket.io-client";
import { IMPLEMENTATIONS, setup } from "./support.js";

const SIZES = [0, 1, 119, 120, 125, 126, 65_529, 65_530, 65_536, 70_000];

function collect(c: ClientSocket, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const got: string[] = [];
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} messages`)), 5000);
    c.onAny((ev: string, data: string) => {
      got.push(`${ev}:${data}`);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

for (const { name, Server } of IMPLEMENTATIONS) {
  for (const perMessageDeflate of [false, true]) {
    test(`${name}, perMessageDeflate ${perMessageDeflate}: broadcasts of every length class arrive intact and in order`, async (t) => {
      const s = await setup(t, { perMessageDeflate }, Server);
      const clients = await Promise.all([s.connect(), s.connect(), s.connect()]);
      const expected: string[] = [];
      for (const size of SIZES) {
        const payload = "é".repeat(size >> 1) + "x".repeat(size & 1);
        expected.push(`b:${payload}`, `one:${size}`);
      }
      const all = clients.map((c) => collect(c, expected.length));
      const sockets = await s.io.fetchSockets();
      for (const size of SIZES) {
        s.io.emit("b", "é".repeat(size >> 1) + "x".repeat(size & 1));
        for (const sock of sockets) sock.emit("one", String(size));
      }
      for (const got of await Promise.all(all)) assert.deepEqual(got, expected);
    });
  }
}
