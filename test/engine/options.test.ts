import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ENGINE_IGNORED_OPTIONS,
  ENGINE_OPTION_SCHEMA,
  Server,
  resolveEngineOptions,
  type EngineOptions,
} from "../../core/engine/index.js";

test("resolves engine.io's defaults, frozen", () => {
  const o = resolveEngineOptions();
  assert.equal(o.path, "/engine.io");
  assert.equal(o.pingInterval, 25_000);
  assert.equal(o.pingTimeout, 20_000);
  assert.equal(o.upgradeTimeout, 10_000);
  assert.equal(o.maxHttpBufferSize, 1e6);
  assert.deepEqual(o.transports, ["polling", "websocket"]);
  assert.equal(o.allowUpgrades, true);
  assert.equal(o.cookie, false);
  assert.equal(o.perMessageDeflate, false);
  assert.deepEqual(o.httpCompression, { threshold: 1024 });
  assert.equal(o.maxBufferedPackets, 10_000);
  assert.equal(o.maxBufferedBytes, 10 * 1024 * 1024);
  assert.ok(Object.isFrozen(o));
  assert.deepEqual(Object.keys(o).sort(), Object.keys(ENGINE_OPTION_SCHEMA).sort());
});

test("keeps 0 and false, strips a trailing slash from path", () => {
  const o = resolveEngineOptions({ allowUpgrades: false, httpCompression: false, path: "/rt/" });
  assert.equal(o.allowUpgrades, false);
  assert.equal(o.httpCompression, false);
  assert.equal(o.path, "/rt");
});

test("lets a layer above change defaults and pass its own keys through", () => {
  const o = resolveEngineOptions({ connectTimeout: 5 } as EngineOptions, { path: "/socket.io" }, ["connectTimeout"]);
  assert.equal(o.path, "/socket.io");
  assert.equal((o as unknown as Record<string, unknown>).connectTimeout, undefined);
  const engine = new Server(o);
  assert.equal(engine.opts, o);
  engine.close();
});

const invalid: [EngineOptions, string][] = [
  [{ pingInterval: "1000" as unknown as number }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ pingTimeout: -1 }, "SKT_ERR_OPTIONS_OUT_OF_RANGE"],
  [{ maxHttpBufferSize: 0 }, "SKT_ERR_OPTIONS_OUT_OF_RANGE"],
  [{ transports: ["carrier"] as never }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ transports: [] }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ path: "no-slash" }, "SKT_ERR_OPTIONS_OUT_OF_RANGE"],
  [{ allowRequest: "yes" as never }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ cors: "*" as never }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ cookie: "io" as never }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ initialPacket: 5 as never }, "SKT_ERR_OPTIONS_INVALID_TYPE"],
  [{ maxBufferedPackets: 0 }, "SKT_ERR_OPTIONS_OUT_OF_RANGE"],
];

for (const [opts, code] of invalid) {
  const name = Object.keys(opts)[0]!;
  test(`rejects an invalid ${name} with ${code}, naming it`, () => {
    assert.throws(
      () => new Server(opts),
      (err: Error & { code?: string }) => err.code === code && err.message.includes(name),
    );
  });
}

test("rejects an unknown option, naming the nearest known one", () => {
  assert.throws(
    () => new Server({ pingIntervall: 5 } as EngineOptions),
    (err: Error & { code?: string }) => err.code === "SKT_ERR_OPTIONS_UNKNOWN" && err.message.includes("pingInterval"),
  );
});

test("accepts engine.io options it does not implement, with a one-time warning", async () => {
  assert.ok(ENGINE_IGNORED_OPTIONS.includes("destroyUpgrade"));
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    new Server({ destroyUpgrade: true } as EngineOptions).close();
    new Server({ destroyUpgrade: true } as EngineOptions).close();
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  const mine = warnings.filter((w) => w.message.includes("destroyUpgrade"));
  assert.equal(mine.length, 1);
  assert.equal((mine[0] as Error & { code?: string }).code, "SKT_WARN_OPTION_IGNORED");
});

test("allowEIO3 is a real option now: a boolean, false by default, never warned about", async () => {
  assert.ok(!ENGINE_IGNORED_OPTIONS.includes("allowEIO3"));
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    const on = new Server({ allowEIO3: true });
    assert.equal(on.opts.allowEIO3, true);
    on.close();
    const off = new Server();
    assert.equal(off.opts.allowEIO3, false);
    off.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w.message.includes("allowEIO3")), []);
  assert.throws(
    () => new Server({ allowEIO3: "yes" } as unknown as EngineOptions),
    (err: Error & { code?: string }) => err.code === "SKT_ERR_OPTIONS_INVALID_TYPE",
  );
});
