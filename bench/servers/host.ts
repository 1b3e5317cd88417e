/**
 * @module bench/servers/host — the part every server under test shares: an HTTP server on
 * 127.0.0.1, the IPC commands of the scenario protocol (stats, broadcast, wait for a connection
 * count, shutdown) and the "ready" notice carrying the port.
 *
 * A server file only says how to attach its app to the HTTP server ({@link BenchApp}).
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { notify, serveRpc } from "../lib/rpc.js";

/** What the host needs from the app of one server under test. */
export interface BenchApp {
  /** One emit of event "b" with `payload` to every member of `room`. */
  broadcast(room: string, payload: string): void;
}

/** Server-side counters the host reports; the app calls `opened` / `closed` per connection. */
export class ConnectionCounter {
  #count = 0;
  #waiters: { n: number; resolve(): void }[] = [];

  /** Open connections right now. */
  get count(): number {
    return this.#count;
  }

  opened(): void {
    this.#count++;
    this.#settle();
  }

  closed(): void {
    this.#count--;
    this.#settle();
  }

  /** Resolves when the count equals `n`; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.#count === n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`server has ${this.#count} connections, expected ${n} (after ${timeoutMs} ms)`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const done = this.#waiters.filter((w) => w.n === this.#count);
    if (done.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.n !== this.#count);
    for (const w of done) w.resolve();
  }
}

/** What a server reports about itself: CPU time and memory since it started. */
export interface ServerStats {
  /** User + system CPU time of the server process, in µs (process.cpuUsage()). */
  readonly cpuUs: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly connections: number;
}

function forceGc(): void {
  const gc = globalThis.gc;
  if (!gc) throw new Error("start the server with --expose-gc");
  // Two passes: the first may only move survivors, the second collects what the first freed.
  gc();
  gc();
}

function stats(counter: ConnectionCounter): ServerStats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUs: cpu.user + cpu.system,
    heapUsed: mem.heapUsed,
    rss: mem.rss,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    connections: counter.count,
  };
}

/** Emits `emits` broadcasts, `perTurn` of them in each event-loop turn. */
function broadcastLoop(app: BenchApp, room: string, emits: number, perTurn: number, payload: string): Promise<void> {
  return new Promise<void>((resolve) => {
    let left = emits;
    const turn = (): void => {
      const k = Math.min(perTurn, left);
      for (let i = 0; i < k; i++) app.broadcast(room, payload);
      left -= k;
      if (left > 0) setImmediate(turn);
      else resolve();
    };
    turn();
  });
}

/**
 * Starts the HTTP server, attaches the app built by `attach`, and serves the scenario protocol
 * on IPC. Reports `{ port, name, version }` in the "ready" notice.
 */
export async function hostServer(
  name: string,
  version: string,
  attach: (http: HttpServer, counter: ConnectionCounter) => Promise<BenchApp> | BenchApp,
): Promise<void> {
  const http = createServer();
  const counter = new ConnectionCounter();
  const app = await attach(http, counter);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => resolve());
  });
  serveRpc({
    stats: (args) => {
      if (args.gc === true) forceGc();
      return stats(counter);
    },
    broadcast: async (args) => {
      await broadcastLoop(app, String(args.room), Number(args.emits), Number(args.perTurn), String(args.payload));
      return null;
    },
    waitConnections: async (args) => {
      await counter.waitFor(Number(args.n), Number(args.timeoutMs ?? 10_000));
      return stats(counter);
    },
  });
  notify("ready", { port: (http.address() as AddressInfo).port, name, version, pid: process.pid });
}
