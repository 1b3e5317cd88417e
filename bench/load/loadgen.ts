/**
 * @module bench/load/loadgen — the load generator process. Holds the lean clients and runs the
 * client side of each scenario on command from the orchestrator (IPC), reporting counts, elapsed
 * time and latency histograms. Pinned to its own CPU by the orchestrator where possible; on a
 * machine with spare cores the orchestrator runs several, each holding a share of the clients.
 *
 * Timestamps that cross processes (publish → receive) are wall-clock milliseconds with
 * sub-millisecond precision (`performance.timeOrigin + performance.now()`), the same clock for
 * every process on the machine.
 */
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { Histogram, type HistogramData } from "../lib/histogram.js";
import { notify, serveRpc } from "../lib/rpc.js";
import { JsonWsClient, SioPollingClient, SioWsClient, type LeanClient, type Sink, type WsImpl } from "./clients.js";

/** Latency summary returned by the echo and publish commands, in ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
}

/** Result of the `echo` command. */
export interface EchoResult extends LatencySummary {
  readonly acks: number;
  readonly ms: number;
  readonly hist: HistogramData;
}

/** Result of the `publish` command (the process holding the publishers). */
export interface PublishResult extends LatencySummary {
  readonly published: number;
  /** Deliveries to this process's clients. */
  readonly delivered: number;
  readonly expected: number;
  /** Wall-clock ms of the first publish and of the last delivery here. */
  readonly startAt: number;
  readonly endAt: number;
  readonly hist: HistogramData;
}

/** Result of the `collectPublished` command (a process holding receivers only). */
export interface CollectResult {
  readonly delivered: number;
  /** Wall-clock ms of the last delivery here. */
  readonly endAt: number;
  readonly hist: HistogramData;
}

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

let clients: LeanClient[] = [];
let agent: Agent | undefined;
let bCount = 0;
let bWaiter: { total: number; resolve(): void } | undefined;
let onMsg: ((data: string) => void) | undefined;

const sink: Sink = {
  b() {
    bCount++;
    if (bWaiter && bCount >= bWaiter.total) {
      const w = bWaiter;
      bWaiter = undefined;
      w.resolve();
    }
  },
  msg(data) {
    onMsg?.(data);
  },
};

/** The WebSocket client under the lean clients: the `ws` library's, or SKT_BENCH_CLIENT=raw for RawWebSocket. */
const wsImpl: WsImpl = process.env.SKT_BENCH_CLIENT === "raw" ? "raw" : "ws";

function makeClient(origin: string, proto: string, transport: string): LeanClient {
  if (proto === "json") return new JsonWsClient(origin, sink, wsImpl);
  if (transport === "polling") {
    agent ??= new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    return new SioPollingClient(origin, sink, agent);
  }
  return new SioWsClient(origin, sink, wsImpl);
}

/** Opens `n` clients, at most `concurrency` handshakes in flight. */
async function connectAll(origin: string, proto: string, transport: string, n: number, concurrency: number): Promise<{ ms: number; connected: number }> {
  const fresh: LeanClient[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const c = makeClient(origin, proto, transport);
      fresh.push(c);
      await c.connect();
    }
  };
  // Settle every worker before judging, so that no half-open client outlives a failed step.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, n) }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure) {
    for (const c of fresh) void c.close();
    throw failure.reason;
  }
  const ms = performance.now() - t0;
  clients.push(...fresh);
  return { ms, connected: fresh.length };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`load generator: ${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/** Closed-loop echo: each of the first `k` clients sends the next echo when the previous is acked. */
function echoLoop(k: number, durationMs: number, dataJson: string, timeoutMs: number): Promise<EchoResult> {
  if (clients.length < k) return Promise.reject(new Error(`echo needs ${k} clients, have ${clients.length}`));
  const hist = new Histogram();
  let acks = 0;
  let running = k;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const done = new Promise<EchoResult>((resolve) => {
    const loop = (c: LeanClient): void => {
      const sent = performance.now();
      c.echo(dataJson, () => {
        const now = performance.now();
        hist.record(now - sent);
        acks++;
        if (now < deadline) loop(c);
        else if (--running === 0) {
          resolve({ acks, ms: now - t0, p50: hist.percentile(50), p99: hist.percentile(99), samples: hist.count, hist: hist.toJSON() });
        }
      });
    };
    for (let i = 0; i < k; i++) loop(clients[i] as LeanClient);
  });
  return withDeadline(done, durationMs + timeoutMs, "echo (acks missing)");
}

/**
 * Publisher fan-out: the first `publishers` clients publish to `room` (which every client joined);
 * each publishes its next message once its previous one reached every client of this process,
 * so exactly `publishers` fan-outs are in flight and the latency is that of a fan-out under this
 * load, not of a queue growing without bound. Latency is measured at every receiver. Other
 * load-generator processes only receive ({@link collectPublished}).
 */
function publishLoop(publishers: number, durationMs: number, room: string, timeoutMs: number): Promise<PublishResult> {
  const n = clients.length;
  if (n < publishers) return Promise.reject(new Error(`publish needs ${publishers} clients, have ${n}`));
  const hist = new Histogram();
  const pubs = clients.slice(0, publishers);
  const outstanding = new Array<number>(publishers).fill(0);
  let published = 0;
  let delivered = 0;
  let active = publishers;
  const startAt = wallMs();
  const deadline = startAt + durationMs;
  const send = (i: number): void => {
    published++;
    outstanding[i] = n;
    (pubs[i] as LeanClient).publish(room, `"${wallMs().toFixed(3)}|${i}"`);
  };
  return new Promise<PublishResult>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      onMsg = undefined;
      clearTimeout(guard);
      resolve({
        published, delivered, expected: published * n, startAt, endAt: wallMs(),
        p50: hist.percentile(50), p99: hist.percentile(99), samples: hist.count, hist: hist.toJSON(),
      });
    };
    // A guard, not a sleep: reports what arrived if deliveries never complete (e.g. a server drops).
    const guard = setTimeout(finish, durationMs + timeoutMs);
    onMsg = (data) => {
      const now = wallMs();
      const bar = data.indexOf("|");
      hist.record(now - Number(data.slice(0, bar)));
      delivered++;
      const i = Number(data.slice(bar + 1));
      const left = (outstanding[i] ?? 0) - 1;
      outstanding[i] = left;
      if (left === 0) {
        if (now < deadline) send(i);
        else if (--active === 0) finish();
      }
    };
    for (let i = 0; i < publishers; i++) send(i);
  });
}

/** Receiver-only side of the fan-out: counts and times every published message that arrives. */
const passive = { hist: new Histogram(), delivered: 0, endAt: 0, waiter: undefined as { expected: number; resolve(): void } | undefined };

function listenPublished(): void {
  passive.hist = new Histogram();
  passive.delivered = 0;
  passive.endAt = 0;
  onMsg = (data) => {
    const now = wallMs();
    passive.hist.record(now - Number(data.slice(0, data.indexOf("|"))));
    passive.delivered++;
    passive.endAt = now;
    if (passive.waiter && passive.delivered >= passive.waiter.expected) passive.waiter.resolve();
  };
}

/** Waits until `expected` published messages arrived here, then stops listening. */
async function collectPublished(expected: number, timeoutMs: number): Promise<CollectResult> {
  if (passive.delivered < expected) {
    await withDeadline(new Promise<void>((resolve) => (passive.waiter = { expected, resolve })), timeoutMs,
      `waiting for ${expected} publications (got ${passive.delivered})`).finally(() => (passive.waiter = undefined));
  }
  onMsg = undefined;
  return { delivered: passive.delivered, endAt: passive.endAt, hist: passive.hist.toJSON() };
}

serveRpc({
  connect: async (a) =>
    connectAll(String(a.origin), String(a.proto), String(a.transport ?? "websocket"), Number(a.n), Number(a.concurrency ?? 64)),
  join: async (a) => {
    const t0 = performance.now();
    await withDeadline(Promise.all(clients.map((c) => c.join(String(a.room)))), Number(a.timeoutMs ?? 30_000), "join");
    return { ms: performance.now() - t0 };
  },
  resetCounters: () => {
    bCount = 0;
    return null;
  },
  waitBroadcasts: async (a) => {
    const total = Number(a.total);
    const t0 = performance.now();
    if (bCount < total) {
      await withDeadline(new Promise<void>((resolve) => (bWaiter = { total, resolve })), Number(a.timeoutMs ?? 60_000), `waiting for ${total} deliveries (got ${bCount})`)
        .finally(() => (bWaiter = undefined));
    }
    return { received: bCount, ms: performance.now() - t0 };
  },
  echo: (a) => echoLoop(Number(a.clients), Number(a.durationMs), String(a.dataJson), Number(a.timeoutMs ?? 30_000)),
  publish: (a) => publishLoop(Number(a.publishers), Number(a.durationMs), String(a.room), Number(a.timeoutMs ?? 30_000)),
  listenPublished: () => {
    listenPublished();
    return null;
  },
  collectPublished: (a) => collectPublished(Number(a.expected), Number(a.timeoutMs ?? 30_000)),
  cpu: () => {
    const u = process.cpuUsage();
    return { cpuUs: u.user + u.system };
  },
  clients: () => ({ count: clients.length }),
  closeAll: async () => {
    const n = clients.length;
    await withDeadline(Promise.all(clients.map((c) => c.close())), 10_000, "close");
    clients = [];
    agent?.destroy();
    agent = undefined;
    return { closed: n };
  },
});
notify("ready", { pid: process.pid, client: wsImpl });
