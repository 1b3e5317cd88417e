/**
 * @module test/compat/recovery-middlewares — whether a recovered socket goes through the
 * namespace's middlewares again: skipped by default (`skipMiddlewares: true`), run with
 * `skipMiddlewares: false`. Runs on socket.io and on Socketeer (the session move of
 * `stickySessions: false` follows the same rule, docs/scaling-out.md).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerOptions, Socket } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, waitFor } from "./support.js";

const CASES: { name: string; recovery: NonNullable<ServerOptions["connectionStateRecovery"]>; runs: number }[] = [
  { name: "by default the middlewares are skipped", recovery: {}, runs: 1 },
  { name: "with skipMiddlewares: false they run again", recovery: { skipMiddlewares: false }, runs: 2 },
];

for (const impl of IMPLEMENTATIONS) {
  for (const { name, recovery, runs } of CASES) {
    test(`${impl.name}: a recovered socket and the middlewares: ${name}`, async (t) => {
      const s = await setup(t, { connectionStateRecovery: recovery }, impl.Server);
      let seen = 0;
      s.io.use((_socket, next) => {
        seen++;
        next();
      });
      let connected = waitFor<[Socket]>(s.io, "connection");
      const c = s.client("/", { reconnection: true, reconnectionDelay: 10, reconnectionDelayMax: 20 });
      const [first] = await connected;
      const news = waitFor(c, "news");
      first.emit("news", 1);
      await news; // the client now holds an offset to recover from
      connected = waitFor<[Socket]>(s.io, "connection");
      c.io.engine.close();
      const [second] = await connected;
      assert.equal(second.recovered, true);
      assert.equal(second.id, first.id);
      assert.equal(seen, runs);
    });
  }
}
