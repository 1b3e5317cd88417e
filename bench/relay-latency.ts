/**
 * @module bench/relay-latency — what a relayed polling request costs (`stickySessions: false`).
 *
 * Socketeer nodes on `socketeer/redis` in their own processes, behind the tests' round-robin
 * balancer (test/helpers/round-robin.ts), Redis at REDIS_URL (default 127.0.0.1:6379):
 * 1. raw Engine.IO POSTs of one session, one after the other through a 2-node balancer: every
 *    other one lands on the owner (local), the others are relayed through Redis; latency of each;
 * 2. the official client over polling, `emitWithAck` (a POST up, the ack down on the parked GET),
 *    2 nodes behind the balancer, sticky routing vs round robin with the relay: one client one
 *    ack after the other, then `--clients` clients at once. Acks/s, p50 and p99.
 *
 *   npx tsx bench/relay-latency.ts [--count 2000] [--clients 20]
 * (Part 2 is also `npm run bench -- --scenario P`, bench/lib/no-sticky.ts.)
 */
import { roundRobin } from "../test/helpers/round-robin.js";
import { REDIS_URL } from "../test/helpers/services.js";
import { spawnNode, uniqueKey } from "../test/redis/helpers.js";
import { measurePollingAcks } from "./lib/no-sticky.js";

const arg = (name: string, dflt: number): number => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const count = arg("--count", 2000);
const clients = arg("--clients", 20);
const cleanups: (() => unknown)[] = [];
const t = { after: (fn: () => unknown) => void cleanups.push(fn) };

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (v: number): string => `${v.toFixed(2)} ms`;

async function nodes(n: number, stickySessions: boolean) {
  const key = uniqueKey();
  const list = await Promise.all(
    Array.from({ length: n }, (_, i) => spawnNode(t, { key, redisUrl: REDIS_URL, name: `n${i}`, stickySessions }, "relay-node.ts")),
  );
  return { list, balancer: await roundRobin(t, list.map((x) => x.port)) };
}

async function rawPosts(): Promise<void> {
  const { balancer } = await nodes(2, false);
  const hs = await fetch(`${balancer.url}/socket.io/?EIO=4&transport=polling`);
  const sid = (JSON.parse((await hs.text()).slice(1)) as { sid: string }).sid;
  const owner = balancer.log[0]!.port;
  const local: number[] = [];
  const relayed: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = balancer.log.length;
    const start = performance.now();
    const res = await fetch(`${balancer.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body: "3" });
    await res.text();
    const took = performance.now() - start;
    if (res.status !== 200) throw new Error(`POST answered ${res.status}`);
    (balancer.log[before]!.port === owner ? local : relayed).push(took);
  }
  console.log(`raw POST, ${count} in turn through a 2-node balancer:`);
  console.log(`  local   p50 ${ms(pct(local, 50))}  p99 ${ms(pct(local, 99))}  (${local.length})`);
  console.log(`  relayed p50 ${ms(pct(relayed, 50))}  p99 ${ms(pct(relayed, 99))}  (${relayed.length})`);
}

async function acks(routing: "sticky" | "round-robin", parallel: number): Promise<void> {
  const r = await measurePollingAcks(routing, parallel, count);
  const label = routing === "sticky" ? "sticky routing          " : "round robin, relay      ";
  console.log(`  ${label} ${String(parallel).padStart(3)} client(s): ${r.perSec.toFixed(0)} acks/s  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}`);
}

try {
  await rawPosts();
  console.log(`emitWithAck over polling, ${count} acks, 2 nodes behind the balancer:`);
  for (const parallel of [1, clients]) for (const routing of ["sticky", "round-robin"] as const) await acks(routing, parallel);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
