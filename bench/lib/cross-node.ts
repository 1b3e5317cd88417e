/**
 * @module bench/lib/cross-node — scenario R: two nodes on one Redis, clients on both. Socketeer on
 * `socketeer/redis` against socket.io on `@socket.io/redis-adapter` (both ioredis, same Redis).
 *
 * - R-B: node 1 broadcasts to a room holding N clients, half on each node; every delivery on
 *   node 2 crossed Redis. Deliveries/s.
 * - R-D: publishers (clients) send messages their node fans out to the room on both nodes.
 *   Deliveries/s, latency p50/p99 from publish to receipt.
 *
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); skipped with a note when it is not there.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { canConnect } from "../../test/helpers/services.js";
import type { BenchConfig, ServerName } from "./config.js";
import type { LoadGroup } from "./load-group.js";
import type { Collector } from "./report.js";
import { RpcChild } from "./rpc.js";
import type { CaseDef } from "./scenarios.js";

const ROOM = "all";
const PAYLOAD = "bench payload: 0123456789abcdef0123456789";
const FLAVORS = ["socketeer", "socketio"] as const satisfies readonly ServerName[];

interface Pair {
  readonly a: RpcChild;
  readonly b: RpcChild;
  readonly origins: [string, string];
}

function defs(cfg: BenchConfig): { broadcast: CaseDef; publish: CaseDef; emits: number } {
  const n = cfg.fanoutN;
  const emits = Math.max(10, Math.round(cfg.broadcastDeliveries / n / 10) * 10);
  return {
    emits,
    broadcast: {
      id: "R-B", scenario: "R", title: `R · two nodes on Redis: node 1 broadcasts to ${n} clients, half on each node (10 emits per turn)`,
      params: { n, emits }, sioOnly: true,
      metrics: [{ key: "deliveriesPerSec", label: "deliveries/s", unit: "/s", better: "higher" }],
    },
    publish: {
      id: "R-D", scenario: "R", title: `R · two nodes on Redis: ${cfg.publishers} publishers fan out to ${n} clients on both nodes`,
      params: { n, publishers: cfg.publishers, durationMs: cfg.durationMs }, sioOnly: true,
      metrics: [
        { key: "deliveriesPerSec", label: "deliveries/s", unit: "/s", better: "higher" },
        { key: "p50", label: "latency p50", unit: "ms", better: "lower" },
        { key: "p99", label: "latency p99", unit: "ms", better: "lower" },
      ],
    },
  };
}

async function startPair(here: string, flavor: string, key: string, cpu: string | undefined): Promise<Pair> {
  const start = (): Promise<RpcChild> =>
    RpcChild.start({ entry: resolve(here, "servers/redis-node.ts"), cpu, nodeFlags: ["--expose-gc"], env: { SKT_BENCH_FLAVOR: flavor, SKT_BENCH_KEY: key } });
  const a = await start();
  const b = await start();
  return { a, b, origins: [`http://127.0.0.1:${String(a.ready.port)}`, `http://127.0.0.1:${String(b.ready.port)}`] };
}

/**
 * Runs scenario R for the servers of `cfg` that have a Redis flavour, adding figures to `collector`.
 *
 * @returns a note when the scenario could not run
 */
export async function runCrossNode(
  cfg: BenchConfig,
  here: string,
  loadgen: LoadGroup,
  collector: Collector,
  step: (text: string) => void,
  cpu: string | undefined,
): Promise<string | undefined> {
  const url = new URL(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  if (!(await canConnect(url.hostname, Number(url.port || 6379)))) return "scenario R skipped: no Redis at REDIS_URL";
  const flavors = FLAVORS.filter((f) => cfg.servers.includes(f));
  const { broadcast, publish, emits } = defs(cfg);
  collector.declare(broadcast);
  collector.declare(publish);
  const pairs = new Map<string, Pair>();
  try {
    for (const f of flavors) pairs.set(f, await startPair(here, f, `skt-bench-${randomBytes(4).toString("hex")}`, cpu));
    const half = Math.floor(cfg.fanoutN / 2);
    for (let run = 0; run < cfg.runs; run++) {
      const order = run % 2 === 0 ? flavors : [...flavors].reverse();
      for (const f of order) {
        const p = pairs.get(f)!;
        step(`R · run ${run + 1}/${cfg.runs} · ${f} · connecting ${cfg.fanoutN} clients to two nodes`);
        try {
          await loadgen.connect(p.origins[0], "sio", "websocket", half);
          await loadgen.connect(p.origins[1], "sio", "websocket", cfg.fanoutN - half);
          await loadgen.join(ROOM);
          step(`R · run ${run + 1}/${cfg.runs} · ${f} · broadcast`);
          await loadgen.resetCounters();
          const t0 = performance.now();
          await Promise.all([p.a.call("broadcast", { room: ROOM, emits, perTurn: 10, payload: PAYLOAD }), loadgen.waitBroadcasts(emits, cfg.stallMs)]);
          collector.add(broadcast, f, { deliveriesPerSec: ((emits * cfg.fanoutN) / (performance.now() - t0)) * 1000 });
          step(`R · run ${run + 1}/${cfg.runs} · ${f} · publishers`);
          const r = await loadgen.publish(cfg.publishers, cfg.durationMs, ROOM, cfg.stallMs);
          if (r.delivered < r.expected) throw new Error(`only ${r.delivered} of ${r.expected} publications arrived`);
          collector.add(publish, f, { deliveriesPerSec: (r.delivered / r.ms) * 1000, p50: r.p50, p99: r.p99 });
        } catch (err) {
          collector.fail(broadcast, f, err instanceof Error ? err.message : String(err));
        } finally {
          await loadgen.closeAll();
        }
      }
    }
  } finally {
    await Promise.all([...pairs.values()].flatMap((p) => [p.a.stop(), p.b.stop()]));
  }
  return undefined;
}
