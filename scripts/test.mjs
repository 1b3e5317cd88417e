#!/usr/bin/env node
// Runs the whole suite: type-check first, then every test with node:test.
//   npm test                 -> tsc --noEmit, then every test/**/*.test.ts (+ compiled Nest tests)
//   npm test -- test/unit    -> only the tests under the given paths (type-check still runs)
//   SKT_SKIP_TSC=1 npm test  -> skip the type-check (local iteration only)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
process.chdir(root);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (!process.env.SKT_SKIP_TSC) {
  console.log("# type-check: tsc --noEmit");
  run(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"]);
}

// Code that needs emitDecoratorMetadata (NestJS) is compiled by tsc, not tsx: see tsconfig.nest.json.
if (existsSync("tsconfig.nest.json")) {
  console.log("# compile NestJS tests with tsc (emitDecoratorMetadata)");
  run(process.execPath, [tsc, "-p", "tsconfig.nest.json"]);
}

const filters = process.argv.slice(2).map((p) => p.replace(/\/$/, ""));
const wanted = (f) => filters.length === 0 || filters.some((p) => f === p || f.startsWith(p + "/"));
const tsFiles = walk("test").filter((f) => f.endsWith(".test.ts") && !f.includes("/nestjs/")).filter(wanted).sort();
const jsFiles = walk(".test-build/test").filter((f) => f.endsWith(".test.js"))
  .filter((f) => wanted(f.replace(/^\.test-build\//, "").replace(/\.js$/, ".ts"))).sort();
const files = [...tsFiles, ...jsFiles];
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "--test-timeout=120000", ...files], {
  env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, "--enable-source-maps"].filter(Boolean).join(" ") },
});
