/**
 * @module bench/lib/no-sticky — scenario P: long-polling through a balancer, two Socketeer nodes
 * (child processes) on `socketeer/redis` and a real Redis. The official client over polling sends
 * `emitWithAck` one after the other (a POST up, the ack down on the parked GET), from one client
 * and from several at once:
 * - P-S: the balancer routes each session to its handshake node (sticky routing, `stickySessions`
 *   on): every request is local;
 * - P-R: round robin over both nodes, `stickySessions: false`: every other request of a session
 *   lands on the other node and is relayed to the owner through Redis.
 * Messages (acks) per second, p50 and p99 of one round trip. Socketeer only (no socket.io server
 * works without affinity). Needs Redis (REDIS_URL); skipped with a note when it is not there.
 * `bench/relay-latency.ts` runs the same measure by itself, plus raw POSTs.
 */
import { performance } from "node:perf_hooks";
import { io as ioc } from "socket.io-client";
import { roundRobin } from "../../test/helpers/round-robin.js";
import { canConnect, REDIS_URL } from "../../test/helpers/services.js";
import { spawnNode, uniqueKey } from "../../test/redis/helpers.js";
import type { BenchConfig } from "./config.js";
import type { Collector } from "./report.js";
import type { CaseDef } from "./scenarios.js";

/** One measure: acks per second and the round trip's percentiles, ms. */
export interface PollingAcks {
  perSec: number;
  p50: number;
  p99: number;
}

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Starts two nodes behind a balancer, connects `clients` polling clients, and times `count` acks.
 *
 * @param routing `sticky` (affinity, sticky sessions on) or `round-robin` (the relay)
 * @param clients clients sending at once
 * @param count acks in all
 * @returns the figures
 */
export async function measurePollingAcks(routing: "sticky" | "round-robin", clients: number, count: number): Promise<PollingAcks> {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) };
  try {
    const key = uniqueKey();
    const stickySessions = routing === "sticky";
    const nodes = await Promise.all(
      [0, 1].map((i) => spawnNode(t, { key, redisUrl: REDIS_URL, name: `n${i}`, stickySessions }, "relay-node.ts")),
    );
    const balancer = await roundRobin(
      t,
      nodes.map((n) => n.port),
    );
    balancer.requests = routing;
    const sockets = await Promise.all(
      Array.from({ length: clients }, async () => {
        const s = ioc(balancer.url, { transports: ["polling"], forceNew: true, reconnection: false });
        cleanups.push(() => s.disconnect());
        await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("connect_error", reject));
        return s;
      }),
    );
    const samples: number[] = [];
    const start = performance.now();
    await Promise.all(
      sockets.map(async (s) => {
        for (let i = 0; i < Math.ceil(count / clients); i++) {
          const t0 = performance.now();
          await s.timeout(10_000).emitWithAck("echo", i);
          samples.push(performance.now() - t0);
        }
      }),
    );
    const perSec = (samples.length / (performance.now() - start)) * 1000;
    return { perSec, p50: pct(samples, 50), p99: pct(samples, 99) };
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

function def(routing: "sticky" | "round-robin", clients: number, count: number): CaseDef {
  const how = routing === "sticky" ? "sticky routing" : "round robin, stickySessions: false (relayed through Redis)";
  return {
    id: `P-${routing === "sticky" ? "S" : "R"}${clients}`,
    scenario: "P",
    title: `P · polling through a balancer, 2 nodes + Redis, ${how}: ${clients} client(s), ${count} emitWithAck`,
    params: { clients, count },
    sioOnly: true,
    metrics: [
      { key: "perSec", label: "messages/s", unit: "/s", better: "higher" },
      { key: "p50", label: "round trip p50", unit: "ms", better: "lower" },
      { key: "p99", label: "round trip p99", unit: "ms", better: "lower" },
    ],
  };
}

/**
 * Runs scenario P (Socketeer only), adding figures to `collector`.
 *
 * @returns a note when the scenario could not run
 */
export async function runNoSticky(cfg: BenchConfig, collector: Collector, step: (text: string) => void): Promise<string | undefined> {
  if (!cfg.servers.includes("socketeer")) return "scenario P skipped: it measures socketeer only";
  const url = new URL(REDIS_URL);
  if (!(await canConnect(url.hostname, Number(url.port || 6379)))) return "scenario P skipped: no Redis at REDIS_URL";
  const count = cfg.quick ? 400 : 2_000;
  const parallel = cfg.quick ? 10 : 20;
  for (let run = 0; run < cfg.runs; run++) {
    for (const clients of [1, parallel]) {
      // alternate who goes first, so drift on a shared machine spreads over both
      const order = run % 2 === 0 ? (["sticky", "round-robin"] as const) : (["round-robin", "sticky"] as const);
      for (const routing of order) {
        const d = def(routing, clients, count);
        step(`P · run ${run + 1}/${cfg.runs} · ${routing} · ${clients} client(s)`);
        try {
          const r = await measurePollingAcks(routing, clients, count);
          collector.add(d, "socketeer", { perSec: r.perSec, p50: r.p50, p99: r.p99 });
        } catch (err) {
          collector.fail(d, "socketeer", err instanceof Error ? err.message : String(err));
        }
      }
    }
  }
  return undefined;
}
