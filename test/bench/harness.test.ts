/**
 * @module test/bench/harness — runs the bench harness end to end at a tiny size against the
 * socket.io and raw `ws` servers and checks the shape of its `--json` output.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { needRedis } from "../helpers/services.js";

const root = resolve(import.meta.dirname, "../..");

interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

interface BenchJson {
  schema: string;
  meta: { mode: string; runs: number; machine: { nproc: number; node: string } };
  servers: { name: string; status: string; version?: string; note?: string }[];
  correctness: Record<string, { ok: boolean; checks: Record<string, boolean> }>;
  cases: {
    id: string;
    scenario: string;
    title: string;
    metrics: { key: string; unit: string; results: Record<string, Summary>; ratios: Record<string, number | null> }[];
    errors: Record<string, string>;
  }[];
  targets: { id: string; pass: boolean | null }[];
}

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`bench did not finish within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

test("the quick harness measures every scenario on the socket.io and ws servers and prints JSON", async () => {
  const { code, stdout, stderr } = await runBench([
    "--quick", "--json", "--runs", "1", "--n", "40", "--fanout", "20", "--deliveries", "400",
    "--duration", "150", "--polling-clients", "3", "--servers", "socketio,ws", "--no-warmup", "--scenario", "A,B,C,D,E",
  ], 60_000);
  assert.equal(code, 0, stderr.slice(-2000));
  assert.match(stderr, /run 1\/1/, "progress is shown on stderr");
  const out = JSON.parse(stdout) as BenchJson;

  assert.equal(out.schema, "socketeer-bench/1");
  assert.equal(out.meta.mode, "quick");
  assert.equal(out.meta.runs, 1);
  assert.ok(out.meta.machine.nproc >= 1);
  assert.deepEqual(out.servers.map((s) => [s.name, s.status]), [["socketio", "ok"], ["ws", "ok"]]);
  assert.equal(out.correctness.socketio?.ok, true, JSON.stringify(out.correctness));
  assert.equal(out.correctness.ws, undefined, "the plain-JSON floor has no Socket.IO correctness pass");

  assert.deepEqual(out.cases.map((c) => c.id), ["A-40", "B-1", "B-10", "D", "C-1", "C-50", "E"]);
  for (const c of out.cases) {
    assert.deepEqual(c.errors, {}, `${c.id} failed: ${JSON.stringify(c.errors)}`);
    for (const m of c.metrics) {
      const servers = c.scenario === "E" ? ["socketio"] : ["socketio", "ws"];
      assert.deepEqual(Object.keys(m.results).sort(), servers.sort(), `${c.id}.${m.key} results`);
      for (const s of servers) {
        const r = m.results[s] as Summary;
        assert.equal(r.samples.length, 1, `${c.id}.${m.key}.${s}`);
        assert.equal(r.median, r.samples[0]);
        assert.ok(Number.isFinite(r.median), `${c.id}.${m.key}.${s} is a number`);
      }
      const diagnostic = m.key === "serverCpu" || m.key === "loadgenCpu";
      assert.equal("socketio/ws" in m.ratios, !diagnostic, `${c.id}.${m.key}: a ratio unless it is a CPU-busy reading`);
    }
  }
  // with 40 connections a GC can make the heap delta zero or negative: only its presence is checked
  const a = out.cases[0]?.metrics.find((m) => m.key === "heapPerConn");
  assert.ok(Number.isFinite(a?.results.ws?.median), "the heap per idle connection is measured");
  const rate = out.cases.find((c) => c.id === "B-1")?.metrics.find((m) => m.key === "deliveriesPerSec");
  assert.ok((rate?.results.socketio?.median ?? 0) > 0, "broadcasts were delivered");

  assert.equal(out.targets.length, 8);
  for (const t of out.targets) assert.equal(t.pass, null, `${t.id} cannot be judged without Socketeer`);
});

test("several load-generator processes share the clients and their figures are merged", async () => {
  const { code, stdout, stderr } = await runBench([
    "--quick", "--json", "--runs", "1", "--fanout", "30", "--deliveries", "600", "--duration", "150",
    "--scenario", "B,C,D", "--servers", "ws", "--workers", "2", "--no-warmup",
  ], 60_000);
  assert.equal(code, 0, stderr.slice(-2000));
  const out = JSON.parse(stdout) as BenchJson & { meta: { loadgenWorkers: number } };
  assert.equal(out.meta.loadgenWorkers, 2);
  assert.deepEqual(out.cases.map((c) => c.id), ["B-1", "B-10", "D", "C-1", "C-50"]);
  for (const c of out.cases) {
    assert.deepEqual(c.errors, {}, `${c.id} failed: ${JSON.stringify(c.errors)}`);
    for (const m of c.metrics) assert.ok(Number.isFinite(m.results.ws?.median), `${c.id}.${m.key}`);
  }
});

test("scenario R runs two nodes on Redis for Socketeer and socket.io, clients on both", { skip: await needRedis() }, async () => {
  const { code, stdout, stderr } = await runBench([
    "--quick", "--json", "--runs", "1", "--fanout", "20", "--deliveries", "400", "--duration", "150",
    "--scenario", "R", "--servers", "socketeer,socketio", "--no-warmup",
  ], 90_000);
  assert.equal(code, 0, stderr.slice(-2000));
  const out = JSON.parse(stdout) as BenchJson;
  assert.deepEqual(out.cases.map((c) => c.id), ["R-B", "R-D"]);
  for (const c of out.cases) {
    assert.deepEqual(c.errors, {}, `${c.id} failed: ${JSON.stringify(c.errors)}`);
    for (const m of c.metrics) {
      for (const s of ["socketeer", "socketio"]) assert.ok(Number.isFinite(m.results[s]?.median), `${c.id}.${m.key} ${s}`);
    }
  }
});

test("the harness rejects an unknown option with exit code 2", async () => {
  const { code, stderr } = await runBench(["--no-such-option"], 30_000);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option --no-such-option/);
});
