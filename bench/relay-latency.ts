/**
 * @module bench/relay-latency — what a relayed polling request costs (`stickySessions: false`).
 *
 * Socketeer nodes on `socketeer/redis` in their own processes, behind the tests' round-robin
 * balancer (test/helpers/round-robin.ts), Redis at REDIS_URL (default 127.0.0.1:6379):
 * 1. raw Engine.IO POSTs of one session, one after the other through a 2-node balancer: every
 *    other one lands on the owner (local), the others are relayed through Redis; latency of each;
 * 2. the official client over polling, `emitWithAck` one after the other (a POST up, the ack down
 *    on the parked GET): 1 node behind the balancer (what sticky routing gives) vs 2 nodes round
 *    robin with the relay. Messages/s, p50 and p99.
 *
 *   npx tsx bench/relay-latency.ts [--count 2000]
 */
import { io as ioc } from "socket.io-client";
import { roundRobin } from "../test/helpers/round-robin.js";
import { REDIS_URL } from "../test/helpers/services.js";
import { spawnNode, uniqueKey } from "../test/redis/helpers.js";

const count = Number(process.argv[process.argv.indexOf("--count") + 1] || 2000);
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

async function acks(n: number): Promise<void> {
  const { balancer } = await nodes(n, false);
  const s = ioc(balancer.url, { transports: ["polling"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => s.once("connect", resolve).once("connect_error", reject));
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await s.timeout(5_000).emitWithAck("echo", i);
    samples.push(performance.now() - t0);
  }
  const rate = (count / (performance.now() - start)) * 1000;
  s.disconnect();
  const label = n === 1 ? "1 node (sticky routing)   " : `${n} nodes, round robin, relay`;
  console.log(`  ${label}: ${rate.toFixed(0)} acks/s  p50 ${ms(pct(samples, 50))}  p99 ${ms(pct(samples, 99))}`);
}

try {
  await rawPosts();
  console.log(`emitWithAck over polling, ${count} in turn:`);
  await acks(1);
  await acks(2);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
