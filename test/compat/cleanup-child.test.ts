/**
 * @module test/compat/cleanup-child — with `cleanupEmptyChildNamespaces`, a dynamic child
 * created for a connection that a middleware then refuses is removed too (socket.io and
 * Socketeer): the next connection to that name creates a fresh child.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Namespace } from "../../core/index.js";
import { IMPLEMENTATIONS, setup, waitFor } from "./support.js";

for (const { name, Server } of IMPLEMENTATIONS) {
  describe(name, () => {
    for (const cleanup of [true, false]) {
      test(`a child whose only connection was refused is ${cleanup ? "" : "not "}removed (cleanupEmptyChildNamespaces: ${cleanup})`, async (t) => {
        const { io, client } = await setup(t, { cleanupEmptyChildNamespaces: cleanup }, Server);
        const parent = io.of(/^\/tmp-\d+$/);
        parent.use((_socket, next) => next(new Error("refused")));
        const created: Namespace[] = [];
        io.on("new_namespace", (nsp) => created.push(nsp));
        for (let i = 0; i < 2; i++) {
          const c = client("/tmp-1");
          const [err] = await waitFor<[Error]>(c, "connect_error");
          assert.equal(err.message, "refused");
          c.disconnect();
        }
        assert.equal(created.length, cleanup ? 2 : 1);
        assert.equal(created[0]!.name, "/tmp-1");
        if (cleanup) assert.notEqual(io.of("/tmp-1"), created[0]);
        else assert.equal(io.of("/tmp-1"), created[0]);
      });
    }
  });
}
