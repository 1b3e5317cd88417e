/**
 * The published shape: `npm run build` output is consumable with `require` and `import`, every
 * entry of the exports map resolves, and the CommonJS entry is callable as socket.io's is.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const root = resolve(import.meta.dirname, "../..");
const entries = ["socketeer", "socketeer/engine", "socketeer/fastify", "socketeer/express", "socketeer/nestjs", "socketeer/redis", "socketeer/decorators"];

test("the built package loads through every exports entry with require and import", { timeout: 300_000 }, (t) => {
  const build = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, encoding: "utf8" });
  assert.equal(build.status, 0, build.stderr + build.stdout);
  const dir = mkdtempSync(join(tmpdir(), "socketeer-consumer-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules", "socketeer"), "dir");
  writeFileSync(join(dir, "c.cjs"), `
    const s = require("socketeer");
    const io = s();
    const out = { callable: typeof s, hasServer: typeof s.Server, engine: typeof io.engine.handleRequest };
    io.close();
    for (const e of ${JSON.stringify(entries)}) out[e] = Object.keys(require(e)).length;
    console.log(JSON.stringify(out));`);
  writeFileSync(join(dir, "m.mjs"), `
    const out = {};
    for (const e of ${JSON.stringify(entries)}) out[e] = Object.keys(await import(e)).length;
    const { Server } = await import("socketeer");
    out.hasServer = typeof Server;
    console.log(JSON.stringify(out));`);
  const cjs = spawnSync(process.execPath, ["c.cjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(cjs.status, 0, cjs.stderr);
  const c = JSON.parse(cjs.stdout) as Record<string, unknown>;
  assert.equal(c.callable, "function");
  assert.equal(c.hasServer, "function");
  assert.equal(c.engine, "function");
  const esm = spawnSync(process.execPath, ["m.mjs"], { cwd: dir, encoding: "utf8" });
  assert.equal(esm.status, 0, esm.stderr);
  const m = JSON.parse(esm.stdout) as Record<string, unknown>;
  assert.equal(m.hasServer, "function");
  for (const e of entries) {
    assert.ok((c[e] as number) > 0, `require("${e}") has exports`);
    assert.ok((m[e] as number) > 0, `import("${e}") has exports`);
  }
});
