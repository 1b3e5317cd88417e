/**
 * @module bench/lib/load-group — the orchestrator's view of the load generator: one or more
 * load-generator processes (one per spare CPU), each holding a share of the clients. Every
 * scenario step is split across them and their counts and latency histograms are merged, so a
 * fast server can be driven by more than one client core.
 */
import { resolve } from "node:path";
import { Histogram } from "./histogram.js";
import { RpcChild } from "./rpc.js";
import type { CollectResult, EchoResult, PublishResult } from "../load/loadgen.js";

/** Merged result of a closed-loop echo step. */
export interface GroupEchoResult {
  readonly acks: number;
  readonly ms: number;
  readonly p50: number;
  readonly p99: number;
}

/** Merged result of a publisher fan-out step. */
export interface GroupPublishResult {
  readonly published: number;
  readonly delivered: number;
  readonly expected: number;
  readonly ms: number;
  readonly p50: number;
  readonly p99: number;
}

/** Splits `n` into `parts` shares that differ by at most one, larger shares first. */
export function split(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < n % parts ? 1 : 0));
}

/** Several load-generator processes driven as one. */
export class LoadGroup {
  readonly #workers: RpcChild[];
  /** Clients each worker holds. */
  #counts: number[];

  private constructor(workers: RpcChild[]) {
    this.#workers = workers;
    this.#counts = workers.map(() => 0);
  }

  /**
   * Starts one load generator per entry of `cpus` (a taskset CPU list, or undefined for unpinned).
   * @throws Error when a process does not start
   */
  static async start(cpus: readonly (string | undefined)[], client: "ws" | "raw", dir: string): Promise<LoadGroup> {
    const workers = await Promise.all(cpus.map((cpu) =>
      RpcChild.start({ entry: resolve(dir, "load/loadgen.ts"), cpu, env: { SKT_BENCH_CLIENT: client } })));
    return new LoadGroup(workers);
  }

  /** Number of load-generator processes. */
  get size(): number {
    return this.#workers.length;
  }

  /** Opens `n` clients, split across the processes; `ms` is the slowest share's time. */
  async connect(origin: string, proto: string, transport: string, n: number): Promise<{ ms: number; connected: number }> {
    const shares = split(n, this.size);
    const results = await Promise.all(this.#workers.map((w, i) =>
      (shares[i] ?? 0) > 0
        ? w.call<{ ms: number; connected: number }>("connect", { origin, proto, transport, n: shares[i] })
        : Promise.resolve({ ms: 0, connected: 0 })));
    results.forEach((r, i) => (this.#counts[i] = (this.#counts[i] ?? 0) + r.connected));
    return { ms: Math.max(...results.map((r) => r.ms)), connected: results.reduce((s, r) => s + r.connected, 0) };
  }

  /** Every client joins `room`. */
  async join(room: string): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.call("join", { room })));
  }

  async resetCounters(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.call("resetCounters")));
  }

  /** Waits until every client received `emits` broadcasts. */
  async waitBroadcasts(emits: number, timeoutMs: number): Promise<void> {
    await Promise.all(this.#workers.map((w, i) =>
      w.call("waitBroadcasts", { total: emits * (this.#counts[i] ?? 0), timeoutMs }, timeoutMs + 10_000)));
  }

  /** Closed-loop echo by `k` clients, split like the connects. */
  async echo(k: number, durationMs: number, dataJson: string, timeoutMs: number): Promise<GroupEchoResult> {
    const shares = split(k, this.size);
    const results = await Promise.all(this.#workers.map((w, i) =>
      (shares[i] ?? 0) > 0
        ? w.call<EchoResult>("echo", { clients: shares[i], durationMs, dataJson, timeoutMs }, durationMs + timeoutMs + 10_000)
        : undefined));
    const hist = new Histogram();
    let acks = 0;
    let ms = 0;
    for (const r of results) {
      if (!r) continue;
      hist.merge(r.hist);
      acks += r.acks;
      ms = Math.max(ms, r.ms);
    }
    return { acks, ms, p50: hist.percentile(50), p99: hist.percentile(99) };
  }

  /**
   * Publisher fan-out to every client: the publishers live in the first process, the others
   * receive only; deliveries and latencies of all processes are merged.
   */
  async publish(publishers: number, durationMs: number, room: string, timeoutMs: number): Promise<GroupPublishResult> {
    const [first, ...others] = this.#workers;
    if (!first) throw new Error("no load generator");
    const pubs = Math.min(publishers, this.#counts[0] ?? 0);
    await Promise.all(others.map((w) => w.call("listenPublished")));
    const r0 = await first.call<PublishResult>("publish", { publishers: pubs, durationMs, room, timeoutMs }, durationMs + timeoutMs + 10_000);
    const rest = await Promise.all(others.map((w, i) =>
      w.call<CollectResult>("collectPublished", { expected: r0.published * (this.#counts[i + 1] ?? 0), timeoutMs }, timeoutMs + 10_000)));
    const hist = new Histogram();
    hist.merge(r0.hist);
    for (const r of rest) hist.merge(r.hist);
    const total = this.#counts.reduce((s, c) => s + c, 0);
    return {
      published: r0.published,
      delivered: r0.delivered + rest.reduce((s, r) => s + r.delivered, 0),
      expected: r0.published * total,
      ms: Math.max(r0.endAt, ...rest.map((r) => r.endAt)) - r0.startAt,
      p50: hist.percentile(50),
      p99: hist.percentile(99),
    };
  }

  /** CPU time used so far by each process, in µs. */
  async cpu(): Promise<number[]> {
    return Promise.all(this.#workers.map(async (w) => (await w.call<{ cpuUs: number }>("cpu")).cpuUs));
  }

  /** Closes every client. */
  async closeAll(timeoutMs = 120_000): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.call("closeAll", {}, timeoutMs)));
    this.#counts = this.#workers.map(() => 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.stop()));
  }
}
