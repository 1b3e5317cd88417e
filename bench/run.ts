/**
 * @module bench/run — the orchestrator of `npm run bench`: starts each server under test and the
 * load generator as separate processes (pinned to separate CPUs with taskset where possible),
 * checks each Socket.IO server with the official client, then runs every scenario against every
 * server, several times, interleaved, and prints one table per case (or JSON with --json).
 * Progress goes to stderr.
 *
 * @example
 *   npm run bench -- --quick
 *   npm run -s bench -- --scenario B,D --servers socketeer,socketio --json > out.json
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { isFloor, parseArgs, SERVER_LABELS, USAGE, type BenchConfig, type ServerName } from "./lib/config.js";
import { checkServer, type CorrectnessResult } from "./lib/correctness.js";
import { LoadGroup } from "./lib/load-group.js";
import { Collector, evaluateTargets, renderTables, type BenchResult, type ServerInfo } from "./lib/report.js";
import { errorText, RpcChild } from "./lib/rpc.js";
import { runNoSticky } from "./lib/no-sticky.js";
import { runCrossNode } from "./lib/cross-node.js";
import { planGroups, warmupSizes, type ScenarioGroup, type ServerHandle } from "./lib/scenarios.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");

/** Progress on stderr: one line per step, rewritten in place on a terminal. */
class Progress {
  readonly #t0 = performance.now();
  readonly #tty = process.stderr.isTTY === true;
  #open = false;

  step(text: string): void {
    const s = Math.round((performance.now() - this.#t0) / 1000);
    const line = `[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}] ${text}`;
    if (this.#tty) {
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      this.#open = true;
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  note(text: string): void {
    this.#endLine();
    process.stderr.write(`${text}\n`);
  }

  done(): void {
    this.#endLine();
  }

  #endLine(): void {
    if (this.#open) process.stderr.write("\n");
    this.#open = false;
  }
}

/** True when taskset can place a process on CPU 0 and on CPU 1 (a cpuset may forbid one). */
function canPin(): boolean {
  return ["0", "1"].every((cpu) => spawnSync("taskset", ["-c", cpu, "true"], { stdio: "ignore" }).status === 0);
}

/** Starts one server under test; `undefined` plus a note when it cannot start. */
/** Node flags of the server processes: GC on demand, and V8 CPU profiles with --cpu-prof. */
let serverFlags: string[] = ["--expose-gc"];

async function startServer(name: ServerName, cpu: string | undefined): Promise<{ handle?: ServerHandle; version?: string; note?: string }> {
  if (name === "socketeer" && !existsSync(resolve(root, "core/index.ts"))) {
    return { note: "core/index.ts does not exist yet" };
  }
  try {
    const flags = serverFlags.map((f) => f.replace("{server}", name));
    const rpc = await RpcChild.start({ entry: resolve(here, `servers/${name}.ts`), cpu, nodeFlags: flags });
    const port = Number(rpc.ready.port);
    return {
      handle: { name, rpc, origin: `http://127.0.0.1:${port}`, proto: isFloor(name) ? "json" : "sio" },
      version: String(rpc.ready.version),
    };
  } catch (err) {
    return { note: `could not start: ${errorText(err).split("\n")[0] ?? ""}` };
  }
}

interface Harness {
  readonly cfg: BenchConfig;
  readonly progress: Progress;
  readonly serverCpu: string | undefined;
  /** CPU list of each load-generator process (undefined: unpinned). */
  readonly loadgenCpus: readonly (string | undefined)[];
  loadgen: LoadGroup;
  readonly handles: Map<ServerName, ServerHandle>;
  readonly infos: Map<ServerName, ServerInfo>;
}

/**
 * CPUs of the load-generator processes: the server keeps CPU 0, the load generators share the
 * others (or all run unpinned).
 */
function loadgenCpus(workers: number, pinned: boolean): (string | undefined)[] {
  const spare = Math.max(1, availableParallelism() - 1);
  return Array.from({ length: workers }, (_, i) => (pinned ? String(1 + (i % spare)) : undefined));
}

/** Replaces a server's process with a fresh one; false when it cannot start again. */
async function restartServer(h: Harness, name: ServerName, why: string): Promise<boolean> {
  const old = h.handles.get(name);
  await old?.rpc.stop();
  const started = await startServer(name, h.serverCpu);
  if (started.handle) {
    h.handles.set(name, started.handle);
    return true;
  }
  h.handles.delete(name);
  const info = h.infos.get(name);
  if (info) {
    info.status = "failed";
    info.note = `could not restart (${why}): ${started.note ?? ""}`;
  }
  return false;
}

/** After a failure: make sure the server and the load generator are alive and clean. */
async function recover(h: Harness, name: ServerName): Promise<void> {
  try {
    await h.loadgen.closeAll(15_000);
  } catch {
    await h.loadgen.stop();
    h.loadgen = await LoadGroup.start(h.loadgenCpus, h.cfg.client, here);
  }
  const old = h.handles.get(name);
  if (!old) return;
  try {
    await old.rpc.call("waitConnections", { n: 0, timeoutMs: 10_000 }, 15_000);
  } catch {
    h.progress.note(`  restarting ${SERVER_LABELS[name]} after a failure`);
    await restartServer(h, name, "after a failure");
  }
}

/** Measured steps done and planned, and when the first began (for the time-left estimate). */
interface StepCounter {
  done: number;
  total: number;
  startedAt: number;
}

function stepLabel(counter: StepCounter): string {
  const left = counter.done > 1
    ? ((performance.now() - counter.startedAt) / (counter.done - 1)) * (counter.total - counter.done + 1) / 1000
    : Number.NaN;
  return `[${counter.done}/${counter.total}${Number.isFinite(left) ? `, ~${Math.ceil(left)} s left` : ""}] `;
}

/** Runs one group against one server; figures go to `collector` (none in the warm-up). */
async function runGroup(h: Harness, name: ServerName, group: ScenarioGroup, collector: Collector | undefined, label: string, counter: StepCounter): Promise<void> {
  if (group.sioOnly && isFloor(name)) return;
  if (group.fresh && h.handles.has(name)) {
    h.progress.step(`${label} · ${SERVER_LABELS[name]} · starting a fresh process`);
    await restartServer(h, name, "fresh process");
  }
  const server = h.handles.get(name);
  if (!server) return;
  let failed: string | undefined;
  try {
    await group.setup(server, h.loadgen);
  } catch (err) {
    failed = `setup: ${errorText(err)}`;
  }
  for (const c of group.cases) {
    if (collector && counter.done++ === 0) counter.startedAt = performance.now();
    h.progress.step(`${collector ? stepLabel(counter) : ""}${label} · ${SERVER_LABELS[name]} · ${c.def.title}`);
    collector?.declare(c.def);
    if (failed === undefined) {
      try {
        const figures = await c.run(server, h.loadgen);
        collector?.add(c.def, name, figures);
        continue;
      } catch (err) {
        failed = errorText(err);
      }
    }
    collector?.fail(c.def, name, failed);
  }
  if (failed === undefined) {
    try {
      await group.teardown(server, h.loadgen);
      return;
    } catch (err) {
      failed = `teardown: ${errorText(err)}`;
    }
  }
  h.progress.note(`  ${SERVER_LABELS[name]} failed in ${label} ${group.scenario}: ${failed}`);
  await recover(h, name);
}

/** The commit the tree is at, "-dirty" when it has uncommitted changes; undefined outside git. */
function treeCommit(): string | undefined {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? "-dirty" : ""}`;
}

function machine(pinned: boolean): Record<string, unknown> {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    pinned,
  };
}

async function main(): Promise<void> {
  let cfg: BenchConfig | "help";
  try {
    cfg = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${errorText(err)}\n`);
    process.exitCode = 2;
    return;
  }
  if (cfg === "help") {
    process.stdout.write(USAGE);
    return;
  }
  const progress = new Progress();
  const started = new Date();
  if (cfg.cpuProfileDir !== undefined) {
    // One directory per server; each server process writes its profile when it exits.
    serverFlags = ["--expose-gc", "--cpu-prof", `--cpu-prof-dir=${resolve(cfg.cpuProfileDir)}/{server}`];
    progress.note(`note: writing server CPU profiles under ${resolve(cfg.cpuProfileDir)}/<server>/`);
  }
  const pinned = cfg.pin && availableParallelism() >= 2 && canPin();
  if (cfg.pin && !pinned) progress.note("note: not pinning to CPUs (needs taskset and CPUs 0 and 1)");

  const infos = new Map<ServerName, ServerInfo>();
  const handles = new Map<ServerName, ServerHandle>();
  for (const name of cfg.servers) {
    progress.step(`starting ${SERVER_LABELS[name]}`);
    const s = await startServer(name, pinned ? "0" : undefined);
    const info: ServerInfo = { name, label: SERVER_LABELS[name], status: s.handle ? "ok" : "skipped" };
    if (s.version) info.version = s.version;
    if (s.note) {
      info.note = s.note;
      progress.note(`note: ${SERVER_LABELS[name]} skipped: ${s.note}`);
    }
    infos.set(name, info);
    if (s.handle) handles.set(name, s.handle);
  }
  // More client cores let a fast server saturate before the clients do (issue 8).
  const workers = cfg.workers ?? (pinned && availableParallelism() >= 3 ? Math.min(availableParallelism() - 1, 4) : 1);
  progress.step(`starting the load generator (${workers} process${workers > 1 ? "es" : ""})`);
  const h: Harness = {
    cfg, progress, handles, infos,
    serverCpu: pinned ? "0" : undefined,
    loadgenCpus: loadgenCpus(workers, pinned),
    loadgen: await LoadGroup.start(loadgenCpus(workers, pinned), cfg.client, here),
  };

  try {
    const correctness: Partial<Record<ServerName, CorrectnessResult>> = {};
    for (const [name, handle] of handles) {
      if (handle.proto !== "sio") continue;
      progress.step(`correctness · ${SERVER_LABELS[name]} · socket.io-client connect, ack, broadcast, fan-out`);
      const r = await checkServer(handle);
      correctness[name] = r;
      if (!r.ok) {
        const failedChecks = Object.entries(r.checks).filter(([, ok]) => !ok).map(([k]) => k);
        const info = infos.get(name) as ServerInfo;
        info.status = "failed";
        info.note = `correctness pass failed (${[...failedChecks, r.error].filter(Boolean).join("; ")})`;
        progress.note(`note: ${SERVER_LABELS[name]} not measured: ${info.note}`);
        await handle.rpc.stop();
        handles.delete(name);
      }
    }

    const names = () => cfg.servers.filter((s) => handles.has(s));
    const counter: StepCounter = { done: 0, total: 0, startedAt: 0 };
    if (cfg.warmup) {
      for (const name of names()) {
        for (const g of planGroups(warmupSizes(cfg))) await runGroup(h, name, g, undefined, "warm-up", counter);
      }
    }
    const collector = new Collector();
    const groups = planGroups(cfg);
    const casesPer = (name: ServerName): number =>
      groups.filter((g) => !g.sioOnly || !isFloor(name)).reduce((n, g) => n + g.cases.length, 0);
    counter.total = cfg.runs * names().reduce((n, s) => n + casesPer(s), 0);
    for (let run = 0; run < cfg.runs; run++) {
      // Interleave the servers and rotate who goes first, so drift on a shared machine
      // spreads over all of them instead of favouring one.
      const order = names();
      const rotated = [...order.slice(run % order.length), ...order.slice(0, run % order.length)];
      for (const name of rotated) {
        for (const g of planGroups(cfg)) await runGroup(h, name, g, collector, `run ${run + 1}/${cfg.runs}`, counter);
      }
    }
    if (cfg.scenarios.includes("R")) {
      const note = await runCrossNode(cfg, here, h.loadgen, collector, (t) => progress.step(t), pinned ? "0" : undefined);
      if (note !== undefined) progress.note(`note: ${note}`);
    }
    if (cfg.scenarios.includes("P")) {
      const note = await runNoSticky(cfg, collector, (t) => progress.step(t));
      if (note !== undefined) progress.note(`note: ${note}`);
    }
    progress.done();

    const measured = cfg.servers.filter((s) => infos.get(s)?.status === "ok");
    const cases = collector.results(measured);
    const result: BenchResult = {
      schema: "socketeer-bench/1",
      meta: {
        date: started.toISOString(),
        durationSec: Math.round((Date.now() - started.getTime()) / 1000),
        commit: treeCommit() ?? null,
        mode: cfg.quick ? "quick" : "full",
        runs: cfg.runs,
        client: cfg.client,
        loadgenWorkers: workers,
        machine: machine(pinned),
        sizes: {
          connectNs: cfg.connectNs, fanoutN: cfg.fanoutN, broadcastDeliveries: cfg.broadcastDeliveries,
          echoClients: cfg.echoClients, publishers: cfg.publishers, pollingClients: cfg.pollingClients, durationMs: cfg.durationMs,
        },
        scenarios: cfg.scenarios,
      },
      servers: cfg.servers.map((s) => infos.get(s) as ServerInfo),
      correctness,
      cases,
      targets: evaluateTargets(cases),
    };
    const json = JSON.stringify(result, null, 2);
    if (cfg.out) {
      mkdirSync(dirname(resolve(cfg.out)), { recursive: true });
      writeFileSync(resolve(cfg.out), `${json}\n`);
    }
    if (cfg.json) process.stdout.write(`${json}\n`);
    else {
      const m = result.meta.machine as Record<string, unknown>;
      const lines = [
        `Socketeer bench (${String(result.meta.mode)}, ${cfg.runs} run${cfg.runs > 1 ? "s" : ""}; median (min–max)) on ${String(m.nproc)} × ${String(m.cpu)}, Node ${String(m.node)}, ${pinned ? `server on CPU 0, load generator on CPU ${[...new Set(h.loadgenCpus)].join(",")}` : "not pinned"}${workers > 1 ? `, ${workers} load-generator processes` : ""}`,
        ...result.servers.map((s) => `- ${s.label}${s.version ? ` ${s.version}` : ""}: ${s.status}${s.note ? ` (${s.note})` : ""}`),
        "",
        renderTables(result),
        "",
      ];
      process.stdout.write(lines.join("\n"));
    }
  } finally {
    progress.done();
    await Promise.all([...handles.values()].map((s) => s.rpc.stop()));
    await h.loadgen.stop();
  }
}

await main();
