/**
 * @module test/bench/units — the harness's pure parts: summaries, the latency histogram, the
 * command line, ratios and targets.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseArgs, type BenchConfig } from "../../bench/lib/config.js";
import { Histogram } from "../../bench/lib/histogram.js";
import { split } from "../../bench/lib/load-group.js";
import { Collector, evaluateTargets, renderTables, type BenchResult } from "../../bench/lib/report.js";
import type { CaseDef } from "../../bench/lib/scenarios.js";
import { formatSummary, summarize } from "../../bench/lib/stats.js";

test("summarize gives the median with min and max and leaves out failed (NaN) runs", () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, samples: [3, 1, 2] });
  assert.equal(summarize([4, 1, 3, 2])?.median, 2.5);
  assert.deepEqual(summarize([5, Number.NaN])?.samples, [5]);
  assert.equal(summarize([Number.NaN]), undefined);
  assert.equal(formatSummary(summarize([1000, 2000, 3000]), "B"), "1.95 KB (0.98–2.93)");
});

test("the histogram's percentiles are within its 1 % bucket precision", () => {
  const h = new Histogram();
  for (let i = 1; i <= 1000; i++) h.record(i / 100); // 0.01 ms … 10 ms
  assert.equal(h.count, 1000);
  assert.ok(Math.abs(h.percentile(50) - 5) / 5 < 0.011, `p50 ${h.percentile(50)}`);
  assert.ok(Math.abs(h.percentile(99) - 9.9) / 9.9 < 0.011, `p99 ${h.percentile(99)}`);
  assert.equal(h.percentile(100), 10);
  assert.ok(Number.isNaN(new Histogram().percentile(50)));
});

test("histograms merge across processes and clients split evenly across them", () => {
  const a = new Histogram();
  const b = new Histogram();
  for (let i = 1; i <= 50; i++) a.record(i / 10);
  for (let i = 51; i <= 100; i++) b.record(i / 10);
  const merged = new Histogram();
  merged.merge(JSON.parse(JSON.stringify(a)) as ReturnType<Histogram["toJSON"]>);
  merged.merge(b.toJSON());
  assert.equal(merged.count, 100);
  assert.ok(Math.abs(merged.percentile(50) - 5) / 5 < 0.011);
  assert.equal(merged.percentile(100), 10);

  assert.deepEqual(split(10, 3), [4, 3, 3]);
  assert.deepEqual(split(1, 2), [1, 0]);
  assert.deepEqual(split(50, 1), [50]);
});

test("parseArgs applies quick sizes, lists and overrides, and rejects unknown input", () => {
  const quick = parseArgs(["--quick", "--json", "--scenario", "b,a", "--servers=ws,socketio", "--runs", "2"]) as BenchConfig;
  assert.equal(quick.quick, true);
  assert.equal(quick.json, true);
  assert.deepEqual(quick.scenarios, ["A", "B"]);
  assert.deepEqual(quick.servers, ["socketio", "ws"], "table order, whatever the order given");
  assert.equal(quick.runs, 2);
  assert.deepEqual(quick.connectNs, [1_000]);
  const full = parseArgs([]) as BenchConfig;
  assert.deepEqual(full.connectNs, [1_000, 10_000]);
  assert.deepEqual(full.servers, ["socketeer", "socketio", "ws", "wstuned"]);
  assert.equal(parseArgs(["--help"]), "help");
  assert.throws(() => parseArgs(["--bogus"]), /unknown option --bogus/);
  assert.throws(() => parseArgs(["--scenario", "Z"]), /unknown scenario Z/);
  assert.throws(() => parseArgs(["--servers", "uws"]), /unknown server uws/);
  assert.throws(() => parseArgs(["--runs", "0"]), /positive integer/);
});

const B1: CaseDef = {
  id: "B-1", scenario: "B", title: "B · broadcast", params: {}, sioOnly: false,
  metrics: [
    { key: "deliveriesPerSec", label: "deliveries/s", unit: "/s", better: "higher" },
    { key: "cpuPerDelivery", label: "server CPU per delivery", unit: "µs", better: "lower" },
  ],
};

test("the collector reports medians, ratios of medians, failures and the targets they meet", () => {
  const c = new Collector();
  for (const [s, cpu] of [["socketeer", 1.1], ["socketeer", 1.3], ["socketeer", 1.2], ["socketio", 3], ["ws", 1]] as const) {
    c.add(B1, s, { deliveriesPerSec: 100, cpuPerDelivery: cpu });
  }
  const cases = c.results(["socketeer", "socketio", "ws"]);
  const cpu = cases[0]?.metrics[1];
  assert.equal(cpu?.results.socketeer?.median, 1.2);
  assert.deepEqual(cpu?.results.socketeer?.samples, [1.1, 1.3, 1.2]);
  assert.ok(Math.abs((cpu?.ratios["socketeer/ws"] ?? 0) - 1.2) < 1e-9);
  assert.ok(Math.abs((cpu?.ratios["socketeer/socketio"] ?? 0) - 0.4) < 1e-9);

  const targets = evaluateTargets(cases);
  assert.equal(targets.find((t) => t.id === "broadcast-cpu")?.pass, true, "1.2× meets ≤ 1.2×");
  assert.equal(targets.find((t) => t.id === "heap-per-connection")?.pass, null, "no A case: not judged");
  assert.equal(targets.find((t) => t.id === "i18-broadcast-cpu")?.pass, false, "1.2× misses issue 18's ≤ 1.0×");
  assert.equal(targets.find((t) => t.id === "i18-broadcast-tuned")?.pass, null, "no tuned floor measured: not judged");

  c.fail(B1, "socketio", "boom");
  const result: BenchResult = {
    schema: "socketeer-bench/1", meta: {}, correctness: {}, targets,
    servers: [{ name: "socketeer", label: "Socketeer", status: "ok" }, { name: "socketio", label: "socket.io", status: "ok" }, { name: "ws", label: "ws floor", status: "ok" }],
    cases: c.results(["socketeer", "socketio", "ws"]),
  };
  assert.deepEqual(result.cases[0]?.errors, { socketio: "boom" });
  const text = renderTables(result);
  assert.match(text, /Socketeer ÷ socket\.io/);
  assert.match(text, /1\.20 µs \(1\.10–1\.30\)/);
  assert.match(text, /socket\.io failed: boom/);
  assert.match(text, /broadcast CPU per delivery .* met/);
});
