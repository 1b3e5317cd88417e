import assert from "node:assert/strict";
import { test } from "node:test";
import { is, nearest, resolveOptions, type OptionSchema } from "../../../core/util/options.js";

interface Opts { pingInterval: number; path: string; allowUpgrades: boolean }
const schema: OptionSchema<Opts> = {
  pingInterval: { default: 25_000, check: is.number(0) },
  path: { default: "/x", check: is.string() },
  allowUpgrades: { default: true, check: is.boolean() },
};

test("resolveOptions applies defaults with ?? semantics and freezes the result", (t) => {
  const r = resolveOptions(schema, { pingInterval: 0, allowUpgrades: false });
  assert.deepEqual({ ...r }, { pingInterval: 0, path: "/x", allowUpgrades: false });
  assert.ok(Object.isFrozen(r));
});

test("resolveOptions rejects a wrong type naming the option", (t) => {
  assert.throws(() => resolveOptions(schema, { pingInterval: "5" }), (e: { code?: string; message: string }) =>
    e.code === "SKT_ERR_OPTIONS_INVALID_TYPE" && e.message.includes("pingInterval"));
  assert.throws(() => resolveOptions(schema, { pingInterval: -1 }), { code: "SKT_ERR_OPTIONS_OUT_OF_RANGE" });
});

test("resolveOptions rejects an unknown key and suggests the nearest", (t) => {
  assert.throws(() => resolveOptions(schema, { pingIntervall: 1 }), (e: { code?: string; message: string }) =>
    e.code === "SKT_ERR_OPTIONS_UNKNOWN" && e.message.includes('"pingInterval"'));
  assert.equal(nearest("zzzzzzzz", ["path"]), undefined);
});

test("resolveOptions accepts ignored compatibility names with a one-time warning", (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(w.code ?? "");
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  const r = resolveOptions(schema, { destroyUpgrade: false }, ["destroyUpgrade"]);
  resolveOptions(schema, { destroyUpgrade: true }, ["destroyUpgrade"]);
  assert.equal(r.path, "/x");
  return new Promise<void>((resolve) => setImmediate(() => {
    assert.deepEqual(warnings, ["SKT_WARN_OPTION_IGNORED"]);
    resolve();
  }));
});
