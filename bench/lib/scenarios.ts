/**
 * @module bench/lib/scenarios — what each scenario does and measures. A scenario group sets up
 * clients on the load generator, runs its cases against one server, and tears down; each case
 * returns its figures for one run. Server CPU comes from process.cpuUsage() deltas inside the
 * server process, memory from process.memoryUsage() after a forced GC, both over IPC.
 */
import { performance } from "node:perf_hooks";
import type { BenchConfig, ScenarioId, ServerName } from "./config.js";
import type { LoadGroup } from "./load-group.js";
import type { RpcChild } from "./rpc.js";
import type { ServerStats } from "../servers/host.js";

/** One figure of a case. */
export interface MetricDef {
  readonly key: string;
  readonly label: string;
  /** "/s", "µs", "ms", "B" (shown as KB), "%". */
  readonly unit: string;
  readonly better: "higher" | "lower";
  /** A reading to interpret the others by (e.g. CPU busy); no ratio is taken. */
  readonly diagnostic?: boolean;
}

/** One table of the report: a scenario at one size. */
export interface CaseDef {
  readonly id: string;
  readonly scenario: ScenarioId;
  readonly title: string;
  readonly params: Readonly<Record<string, number>>;
  readonly metrics: readonly MetricDef[];
  /** Only servers speaking Socket.IO run it (long-polling has no `ws` floor). */
  readonly sioOnly: boolean;
}

/** A running server under test, as the scenarios see it. */
export interface ServerHandle {
  readonly name: ServerName;
  readonly rpc: RpcChild;
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  /** Wire protocol of the lean clients: Socket.IO, or plain JSON for the `ws` floor. */
  readonly proto: "sio" | "json";
}

/** What a case run returns: metric key → value (NaN when not measurable). */
export type Figures = Record<string, number>;

interface RunnableCase {
  readonly def: CaseDef;
  run(server: ServerHandle, loadgen: LoadGroup): Promise<Figures>;
}

/** Cases that share their clients: connect once, run each case, close. */
export interface ScenarioGroup {
  readonly scenario: ScenarioId;
  readonly sioOnly: boolean;
  /** Run against a freshly started server process (memory figures need a clean baseline). */
  readonly fresh: boolean;
  readonly cases: readonly RunnableCase[];
  setup(server: ServerHandle, loadgen: LoadGroup): Promise<void>;
  teardown(server: ServerHandle, loadgen: LoadGroup): Promise<void>;
}

const ROOM = "all";
/** A short string payload, the same for every server. */
const PAYLOAD = "bench payload: 0123456789abcdef0123456789";

const M = {
  connectsPerSec: { key: "connectsPerSec", label: "connects/s", unit: "/s", better: "higher" },
  cpuPerConnect: { key: "cpuPerConnect", label: "server CPU per connect", unit: "µs", better: "lower" },
  heapPerConn: { key: "heapPerConn", label: "heap per idle connection", unit: "B", better: "lower" },
  rssPerConn: { key: "rssPerConn", label: "RSS per idle connection", unit: "B", better: "lower" },
  deliveriesPerSec: { key: "deliveriesPerSec", label: "deliveries/s", unit: "/s", better: "higher" },
  cpuPerDelivery: { key: "cpuPerDelivery", label: "server CPU per delivery", unit: "µs", better: "lower" },
  acksPerSec: { key: "acksPerSec", label: "acks/s", unit: "/s", better: "higher" },
  cpuPerAck: { key: "cpuPerAck", label: "server CPU per ack", unit: "µs", better: "lower" },
  messagesPerSec: { key: "messagesPerSec", label: "messages/s (echo round trips)", unit: "/s", better: "higher" },
  cpuPerMessage: { key: "cpuPerMessage", label: "server CPU per message", unit: "µs", better: "lower" },
  p50: { key: "p50", label: "latency p50", unit: "ms", better: "lower" },
  p99: { key: "p99", label: "latency p99", unit: "ms", better: "lower" },
  serverCpu: { key: "serverCpu", label: "server CPU busy", unit: "%", better: "lower", diagnostic: true },
  loadgenCpu: { key: "loadgenCpu", label: "load generator CPU, busiest process (saturation check)", unit: "%", better: "lower", diagnostic: true },
} as const satisfies Record<string, MetricDef>;

function stats(server: ServerHandle, gc = false): Promise<ServerStats> {
  return server.rpc.call<ServerStats>("stats", { gc });
}

/** The load generators' CPU time so far, per process, in µs. */
function loadgenCpu(loadgen: LoadGroup): Promise<number[]> {
  return loadgen.cpu();
}

/** Busy share of the busiest load-generator process between two readings. */
function loadgenBusy(l0: number[], l1: number[], ms: number): number {
  return Math.max(...l1.map((v, i) => busy(v - (l0[i] ?? 0), ms)));
}

/** Connects `n` clients of the server's protocol; throws when the server falls short. */
async function connect(server: ServerHandle, loadgen: LoadGroup, n: number, transport = "websocket"): Promise<{ ms: number }> {
  const r = await loadgen.connect(server.origin, server.proto, transport, n);
  await server.rpc.call("waitConnections", { n, timeoutMs: 20_000 });
  return r;
}

async function closeAll(server: ServerHandle, loadgen: LoadGroup): Promise<void> {
  await loadgen.closeAll();
  await server.rpc.call("waitConnections", { n: 0, timeoutMs: 30_000 });
}

/** Server CPU per operation, in µs. */
function perOp(s0: ServerStats, s1: ServerStats, ops: number): number {
  return ops > 0 ? (s1.cpuUs - s0.cpuUs) / ops : Number.NaN;
}

/**
 * CPU time as a percentage of one core over `ms` of wall time. A server far under 100 % in a
 * throughput step was held back by something else (the client, or other work on the machine).
 */
function busy(cpuUs: number, ms: number): number {
  return ms > 0 ? (cpuUs / (ms * 1000)) * 100 : Number.NaN;
}

/** (A) connect N clients: rate, CPU per connect, heap and RSS per idle connection after GC. */
function connectGroup(n: number): ScenarioGroup {
  const def: CaseDef = {
    id: `A-${n}`, scenario: "A", title: `A · connect ${n} clients`, params: { n }, sioOnly: false,
    metrics: [M.connectsPerSec, M.cpuPerConnect, M.heapPerConn, M.rssPerConn],
  };
  return {
    scenario: "A", sioOnly: false, fresh: true,
    // The fresh process first JIT-compiles its handshake path on a few connections, so the
    // measured connects are warm and the memory baseline already holds the code's own allocations.
    setup: async (server, loadgen) => {
      await connect(server, loadgen, Math.min(200, n));
      await closeAll(server, loadgen);
    },
    teardown: closeAll,
    cases: [{
      def,
      run: async (server, loadgen) => {
        const s0 = await stats(server, true);
        const r = await connect(server, loadgen, n);
        const s1 = await stats(server);
        const s2 = await stats(server, true);
        return {
          connectsPerSec: (n / r.ms) * 1000,
          cpuPerConnect: perOp(s0, s1, n),
          heapPerConn: (s2.heapUsed - s0.heapUsed) / n,
          rssPerConn: (s2.rss - s0.rss) / n,
        };
      },
    }],
  };
}

/** (B) broadcast to a room of N, `perTurn` emits per event-loop turn. */
function broadcastCase(n: number, deliveries: number, perTurn: number, stallMs: number): RunnableCase {
  const emits = Math.max(perTurn, Math.round(deliveries / n / perTurn) * perTurn);
  const def: CaseDef = {
    id: `B-${perTurn}`, scenario: "B", title: `B · broadcast to ${n}, ${perTurn} emit${perTurn > 1 ? "s" : ""} per turn`,
    params: { n, perTurn, emits }, sioOnly: false,
    metrics: [M.deliveriesPerSec, M.cpuPerDelivery, M.serverCpu, M.loadgenCpu],
  };
  return {
    def,
    run: async (server, loadgen) => {
      const total = emits * n;
      await loadgen.resetCounters();
      const s0 = await stats(server);
      const l0 = await loadgenCpu(loadgen);
      const t0 = performance.now();
      await Promise.all([
        server.rpc.call("broadcast", { room: ROOM, emits, perTurn, payload: PAYLOAD }),
        loadgen.waitBroadcasts(emits, stallMs),
      ]);
      const ms = performance.now() - t0;
      const s1 = await stats(server);
      const l1 = await loadgenCpu(loadgen);
      return {
        deliveriesPerSec: (total / ms) * 1000,
        cpuPerDelivery: perOp(s0, s1, total),
        serverCpu: busy(s1.cpuUs - s0.cpuUs, ms),
        loadgenCpu: loadgenBusy(l0, l1, ms),
      };
    },
  };
}

/** (D) publishers whose messages fan out to every client. */
function publishCase(n: number, publishers: number, durationMs: number, stallMs: number): RunnableCase {
  const def: CaseDef = {
    id: "D", scenario: "D", title: `D · ${publishers} publishers fan out to ${n}`,
    params: { n, publishers, durationMs }, sioOnly: false,
    metrics: [M.deliveriesPerSec, M.p50, M.p99, M.cpuPerDelivery, M.serverCpu, M.loadgenCpu],
  };
  return {
    def,
    run: async (server, loadgen) => {
      const s0 = await stats(server);
      const l0 = await loadgenCpu(loadgen);
      const r = await loadgen.publish(publishers, durationMs, ROOM, stallMs);
      const s1 = await stats(server);
      const l1 = await loadgenCpu(loadgen);
      if (r.delivered < r.expected) throw new Error(`only ${r.delivered} of ${r.expected} publications arrived`);
      return {
        deliveriesPerSec: (r.delivered / r.ms) * 1000,
        p50: r.p50,
        p99: r.p99,
        cpuPerDelivery: perOp(s0, s1, r.delivered),
        serverCpu: busy(s1.cpuUs - s0.cpuUs, r.ms),
        loadgenCpu: loadgenBusy(l0, l1, r.ms),
      };
    },
  };
}

/** (C, E) closed-loop echo with ack by `k` clients. */
function echoCase(def: CaseDef, k: number, durationMs: number, stallMs: number, rate: MetricDef, cpu: MetricDef): RunnableCase {
  return {
    def,
    run: async (server, loadgen) => {
      const s0 = await stats(server);
      const l0 = await loadgenCpu(loadgen);
      const r = await loadgen.echo(k, durationMs, JSON.stringify(PAYLOAD), stallMs);
      const s1 = await stats(server);
      const l1 = await loadgenCpu(loadgen);
      return {
        [rate.key]: (r.acks / r.ms) * 1000,
        p50: r.p50,
        p99: r.p99,
        [cpu.key]: perOp(s0, s1, r.acks),
        serverCpu: busy(s1.cpuUs - s0.cpuUs, r.ms),
        loadgenCpu: loadgenBusy(l0, l1, r.ms),
      };
    },
  };
}

/** Sizes of one pass; the warm-up pass uses small ones. */
export type Sizes = Pick<BenchConfig, "scenarios" | "connectNs" | "fanoutN" | "broadcastDeliveries" | "echoClients" | "publishers" | "pollingClients" | "durationMs" | "stallMs">;

/** The scenario groups of a pass, in the order they run against each server. */
export function planGroups(sizes: Sizes): ScenarioGroup[] {
  const groups: ScenarioGroup[] = [];
  const want = (s: ScenarioId): boolean => sizes.scenarios.includes(s);
  if (want("A")) for (const n of sizes.connectNs) groups.push(connectGroup(n));
  for (const s of ["B", "D"] as const) {
    if (!want(s)) continue;
    const n = sizes.fanoutN;
    groups.push({
      scenario: s, sioOnly: false, fresh: false,
      setup: async (server, loadgen) => {
        await connect(server, loadgen, n);
        await loadgen.join(ROOM);
      },
      teardown: closeAll,
      cases: s === "B"
        ? [broadcastCase(n, sizes.broadcastDeliveries, 1, sizes.stallMs), broadcastCase(n, sizes.broadcastDeliveries, 10, sizes.stallMs)]
        : [publishCase(n, Math.min(sizes.publishers, n), sizes.durationMs, sizes.stallMs)],
    });
  }
  if (want("C")) {
    const most = Math.max(...sizes.echoClients);
    groups.push({
      scenario: "C", sioOnly: false, fresh: false,
      setup: async (server, loadgen) => {
        await connect(server, loadgen, most);
      },
      teardown: closeAll,
      cases: sizes.echoClients.map((k) => echoCase({
        id: `C-${k}`, scenario: "C", title: `C · echo with ack, ${k} closed-loop client${k > 1 ? "s" : ""}`,
        params: { clients: k, durationMs: sizes.durationMs }, sioOnly: false,
        metrics: [M.acksPerSec, M.p50, M.p99, M.cpuPerAck, M.serverCpu, M.loadgenCpu],
      }, k, sizes.durationMs, sizes.stallMs, M.acksPerSec, M.cpuPerAck)),
    });
  }
  if (want("E")) {
    const k = sizes.pollingClients;
    groups.push({
      scenario: "E", sioOnly: true, fresh: false,
      setup: async (server, loadgen) => {
        await connect(server, loadgen, k, "polling");
      },
      teardown: closeAll,
      cases: [echoCase({
        id: "E", scenario: "E", title: `E · ${k} long-polling clients, echo with ack`,
        params: { clients: k, durationMs: sizes.durationMs }, sioOnly: true,
        metrics: [M.messagesPerSec, M.cpuPerMessage, M.p50, M.p99, M.serverCpu, M.loadgenCpu],
      }, k, sizes.durationMs, sizes.stallMs, M.messagesPerSec, M.cpuPerMessage)],
    });
  }
  return groups;
}

/**
 * Sizes of the warm-up pass: enough calls for the JIT, little time. Scenario A is left out: it
 * runs on a fresh process each time and warms that process up itself.
 */
export function warmupSizes(sizes: Sizes): Sizes {
  return {
    scenarios: sizes.scenarios.filter((s) => s !== "A"),
    connectNs: [Math.min(200, ...sizes.connectNs)],
    fanoutN: Math.min(100, sizes.fanoutN),
    broadcastDeliveries: 2_000,
    echoClients: sizes.echoClients.map((k) => Math.min(k, 10)),
    publishers: sizes.publishers,
    pollingClients: Math.min(5, sizes.pollingClients),
    durationMs: Math.min(200, sizes.durationMs),
    stallMs: sizes.stallMs,
  };
}
