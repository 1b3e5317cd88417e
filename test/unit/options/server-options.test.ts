/**
 * @module test/unit/options — Server options: defaults, engine options passed through, validation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveServerOptions } from "../../../core/options.js";
import { Server } from "../../../core/index.js";

test("defaults match socket.io's", () => {
  const o = resolveServerOptions();
  assert.equal(o.engine.path, "/socket.io");
  assert.equal(o.serveClient, true);
  assert.equal(o.connectTimeout, 45_000);
  assert.equal(o.cleanupEmptyChildNamespaces, false);
  assert.equal(o.connectionStateRecovery, undefined);
  assert.equal(o.adapter, undefined);
  assert.equal(o.engine.pingInterval, 25_000);
  assert.ok(Object.isFrozen(o));
});

test("accepts every engine option next to its own", () => {
  const o = resolveServerOptions({ pingInterval: 1_000, path: "/rt", connectTimeout: 10, maxHttpBufferSize: 5 });
  assert.equal(o.engine.pingInterval, 1_000);
  assert.equal(o.engine.path, "/rt");
  assert.equal(o.engine.maxHttpBufferSize, 5);
  assert.equal(o.connectTimeout, 10);
});

test("resolves connectionStateRecovery with socket.io's defaults and our packet cap", () => {
  const o = resolveServerOptions({ connectionStateRecovery: {} });
  assert.deepEqual({ ...o.connectionStateRecovery }, {
    maxDisconnectionDuration: 120_000,
    skipMiddlewares: true,
    maxPersistedPackets: 10_000,
  });
});

test("rejects invalid and unknown options with a code naming them", () => {
  assert.throws(() => resolveServerOptions({ connectTimeout: "1" as unknown as number }), { code: "SKT_ERR_OPTIONS_INVALID_TYPE" });
  assert.throws(() => resolveServerOptions({ connectTimeot: 1 } as object), { code: "SKT_ERR_OPTIONS_UNKNOWN" });
  assert.throws(() => resolveServerOptions({ parser: {} as never }), { code: "SKT_ERR_OPTIONS_INVALID_TYPE" });
  assert.throws(() => new Server({ pingInterval: -1 }), { code: "SKT_ERR_OPTIONS_OUT_OF_RANGE" });
});

test("the adapter option takes a class or a factory, and io.adapter() swaps it", async () => {
  const made: string[] = [];
  const { Adapter } = await import("../../../core/index.js");
  class Mine extends Adapter {
    override init(): void {
      made.push(this.nsp.name);
    }
  }
  const io = new Server({ adapter: Mine, serveClient: false });
  assert.ok(io.of("/").adapter instanceof Mine);
  assert.deepEqual(made, ["/"]);
  io.adapter((nsp) => new Adapter(nsp));
  assert.ok(!(io.of("/").adapter instanceof Mine));
  assert.equal(io.path(), "/socket.io");
  await io.close();
});
