#!/usr/bin/env node
// Runs the whole suite: type-check first, then every test with node:test.
//   npm test                 -> tsc --noEmit, then every test/**/*.test.ts (+ compiled Nest tests)
//   npm test -- test/unit    -> only the tests under the given paths (type-check still runs)
//   SKT_SKIP_TSC=1 npm test  -> skip the type-check (local iteration only)
// The NestJS tests run twice: on Nest 11 (CommonJS, the root devDependencies) and on Nest 12 (ESM), which
// lives in its own folder, test/nest12, installed here with `npm ci` (Nest 11 and 12 cannot share one
// node_modules). Off CI, a failed install skips the Nest 12 run with a message instead of failing.
import { spawn, spawnSync } from "node:child_process";
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
    if (name === "node_modules") continue; // test/nest12 has its own, full of other packages' tests
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

const nest12 = join("test", "nest12");
const nest12Lock = join(nest12, "package-lock.json");
const nest12Stamp = join(nest12, "node_modules", ".package-lock.json"); // written by npm ci
const nest12Installed = () => existsSync(nest12Stamp) && statSync(nest12Stamp).mtimeMs >= statSync(nest12Lock).mtimeMs;
let nest12Ready = false;
if (existsSync(nest12Lock)) {
  if (!nest12Installed()) {
    console.log("# install NestJS 12 for the second Nest run: npm ci in test/nest12");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: nest12, stdio: "inherit" });
    if (r.status !== 0) {
      if (process.env.CI === "true") process.exit(r.status ?? 1);
      console.log("# skipping the Nest 12 run: npm ci in test/nest12 failed (no network?)");
    }
  }
  if (nest12Installed()) {
    console.log("# compile NestJS tests against Nest 12 (tsconfig.nest12.json)");
    run(process.execPath, [tsc, "-p", "tsconfig.nest12.json"]);
    nest12Ready = true;
  }
}

const filters = process.argv.slice(2).map((p) => p.replace(/\/$/, ""));
const wanted = (f) => filters.length === 0 || filters.some((p) => f === p || f.startsWith(p + "/"));
const tsFiles = walk("test").filter((f) => f.endsWith(".test.ts") && !f.includes("/nestjs/")).filter(wanted).sort();
const jsFiles = walk(".test-build/test").filter((f) => f.endsWith(".test.js"))
  .filter((f) => wanted(f.replace(/^\.test-build\//, "").replace(/\.js$/, ".ts"))).sort();
const nest12Files = nest12Ready
  ? walk(join(nest12, ".build", "test")).filter((f) => f.endsWith(".test.js"))
      .filter((f) => wanted(f.replace(/^test\/nest12\/\.build\//, "").replace(/\.js$/, ".ts"))).sort()
  : [];
const files = [...tsFiles, ...jsFiles, ...nest12Files];
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, "--enable-source-maps"].filter(Boolean).join(" ") };

/** Runs node's test runner on `list`; `live`: its output also goes to ours as it comes. */
function runner(list, timeoutMs, live) {
  return new Promise((resolveRun) => {
    const out = [];
    // --test-force-exit: a file's process ends once its tests and after-hooks have run, even if a
    // handle of the test's own (a client still reconnecting, a pooled connection) would keep it
    // alive; otherwise the runner waits for it until the file's timeout and fails a file whose tests
    // all passed. Leaks of the server's own are asserted where they matter: test/engine/cleanup.test.ts
    // and test/hardening/shutdown.test.ts.
    const args = ["--import", "tsx", "--test", "--test-force-exit", "--test-reporter=spec", `--test-timeout=${timeoutMs}`, ...list];
    const child = spawn(process.execPath, args, {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (stream) => (chunk) => {
      out.push(chunk);
      if (live) stream.write(chunk);
    };
    child.stdout.on("data", keep(process.stdout));
    child.stderr.on("data", keep(process.stderr));
    child.on("close", (code) => resolveRun({ code: code ?? 1, text: Buffer.concat(out).toString() }));
  });
}

/** The counts of a spec reporter's summary ("ℹ tests 12", "ℹ pass 11", ...). */
function summary(text) {
  const counts = {};
  for (const m of text.matchAll(/^\u2139 (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

// Files named *-long.test.ts run for minutes on purpose (e.g. a 2-minute session): they run beside
// the others, in their own runner with a longer timeout; their report is printed after the others',
// then one summary of both runs.
const longFiles = files.filter((f) => f.endsWith("-long.test.ts"));
const shortFiles = files.filter((f) => !f.endsWith("-long.test.ts"));
const long = longFiles.length === 0 ? undefined : runner(longFiles, 300_000, false);
const results = [];
if (shortFiles.length > 0) results.push(await runner(shortFiles, 120_000, true));
if (long !== undefined) {
  console.log(`# the long tests (${longFiles.join(", ")}):`);
  const r = await long;
  process.stdout.write(r.text);
  results.push(r);
}
if (results.length > 1) {
  const total = {};
  for (const r of results) for (const [k, v] of Object.entries(summary(r.text))) total[k] = (total[k] ?? 0) + v;
  console.log("# all test files:");
  for (const k of ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo"]) console.log(`\u2139 ${k} ${total[k] ?? 0}`);
}
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
