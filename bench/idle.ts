/**
 * @module bench/idle — idle connections under the microscope (issue 18): what each one holds on
 * the heap, object by object, and how the event loop copes while many of them ping.
 *
 * The server (Socketeer or socket.io, the bench's scenario app, given `pingInterval`) runs in this
 * process; the clients run in a load-generator process (bench/load/loadgen.ts, raw WebSocket
 * clients that answer pings). Two steps:
 *
 * 1. heap: connects `--base` clients, takes a heap snapshot after GC, connects `--n` more, takes a
 *    second one, and prints per connection the objects that grew (by constructor or closure
 *    name), with the count of `Timeout` objects and closures per connection;
 * 2. lag (with `--lag-ms`): keeps the `--base + --n` connections pinging every `--ping-interval`
 *    ms and samples the event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution).
 *
 * Usage: `npx tsx --expose-gc bench/idle.ts [--server socketeer|socketio] [--n 1000]
 * [--base 200] [--ping-interval 25000] [--lag-ms 0] [--top 25] [--no-heap] [--json]`
 * (`npm run bench:idle -- …`). With `--check`, exits 1 when the heap diff shows a `Timeout` or
 * a closure per connection, or when the p99 lag reaches 5 ms.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import { LoadGroup } from "./lib/load-group.js";
import { ConnectionCounter } from "./servers/host.js";
import { installSioApp, type SioServerLike } from "./servers/sio-app.js";

interface Args {
  server: "socketeer" | "socketio";
  n: number;
  base: number;
  pingInterval: number;
  lagMs: number;
  top: number;
  heap: boolean;
  check: boolean;
  json: boolean;
  retainers: string | undefined;
}

function parse(argv: readonly string[]): Args {
  const a: Args = { server: "socketeer", n: 1000, base: 200, pingInterval: 25_000, lagMs: 0, top: 25, heap: true, check: false, json: false, retainers: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--server": {
        const v = value();
        if (v !== "socketeer" && v !== "socketio") throw new Error("--server socketeer|socketio");
        a.server = v;
        break;
      }
      case "--n": a.n = Number(value()); break;
      case "--base": a.base = Number(value()); break;
      case "--ping-interval": a.pingInterval = Number(value()); break;
      case "--lag-ms": a.lagMs = Number(value()); break;
      case "--top": a.top = Number(value()); break;
      case "--no-heap": a.heap = false; break;
      case "--check": a.check = true; break;
      case "--json": a.json = true; break;
      case "--retainers": a.retainers = value(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return a;
}

type ServerCtor = new (http: HttpServer, opts: Record<string, unknown>) => SioServerLike & { close(): unknown };

async function startServer(args: Args): Promise<{ origin: string; counter: ConnectionCounter; stop(): Promise<void> }> {
  const mod = (args.server === "socketeer" ? await import("../core/index.js") : await import("socket.io")) as unknown as { Server: ServerCtor };
  const http = createServer();
  const counter = new ConnectionCounter();
  // the pong timeout stays socket.io's default: a client late by a few ms must not be dropped
  const io = new mod.Server(http, { pingInterval: args.pingInterval, pingTimeout: 20_000 });
  installSioApp(io, counter);
  await new Promise<void>((resolve) => http.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    origin,
    counter,
    stop: async () => {
      io.close();
      http.close();
    },
  };
}

function gc(): void {
  const g = globalThis.gc;
  if (!g) throw new Error("run with --expose-gc (npx tsx --expose-gc bench/idle.ts)");
  g();
  g();
}

/** Per-key count and self size of one heap snapshot. */
type Census = Map<string, { count: number; size: number }>;

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Retainers of the nodes of one key: `retainer key .edge` → count (filled by census when asked). */
const retainers = new Map<string, number>();

/** Writes a heap snapshot and counts its nodes by type and name. */
function census(dir: string, label: string, retainersOf?: string): Census {
  gc();
  const file = writeHeapSnapshot(join(dir, `${label}.heapsnapshot`));
  const snap = JSON.parse(readFileSync(file, "utf8")) as RawSnapshot;
  rmSync(file);
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const iEdges = fields.indexOf("edge_count");
  const eFields = snap.snapshot.meta.edge_fields;
  const eWidth = eFields.length;
  const eTypes = snap.snapshot.meta.edge_types[0];
  const ieType = eFields.indexOf("type");
  const ieName = eFields.indexOf("name_or_index");
  const out: Census = new Map();
  const nodes = snap.nodes;
  const count = nodes.length / width;
  const keys: string[] = new Array<string>(count);
  const firstEdge = new Int32Array(count);
  let edge = 0;
  for (let n = 0; n < count; n++) {
    firstEdge[n] = edge;
    edge += nodes[n * width + iEdges]! * eWidth;
  }
  // only what is reachable from the roots through strong edges: the snapshot also lists garbage
  // that the last GC left (e.g. a dozen empty objects per connection)
  const ieTo = eFields.indexOf("to_node");
  const reachable = new Uint8Array(count);
  const stack = [0];
  reachable[0] = 1;
  while (stack.length > 0) {
    const n = stack.pop()!;
    const start = firstEdge[n]!;
    const end = start + nodes[n * width + iEdges]! * eWidth;
    for (let e = start; e < end; e += eWidth) {
      if (eTypes[snap.edges[e + ieType]!] === "weak") continue;
      const to = snap.edges[e + ieTo]! / width;
      if (reachable[to] === 1) continue;
      reachable[to] = 1;
      stack.push(to);
    }
  }
  // the script a closure was defined in: closure -shared-> function info -script-> script (named by its URL)
  const edgeTo = (n: number, edgeName: string): number | undefined => {
    const start = firstEdge[n]!;
    for (let e = start; e < start + nodes[n * width + iEdges]! * eWidth; e += eWidth) {
      const et = eTypes[snap.edges[e + ieType]!];
      if (et !== "element" && et !== "hidden" && snap.strings[snap.edges[e + ieName]!] === edgeName) return snap.edges[e + ieTo]! / width;
    }
    return undefined;
  };
  const scriptOf = (n: number): string => {
    const shared = edgeTo(n, "shared");
    const script = shared === undefined ? undefined : (edgeTo(shared, "script_or_debug_info") ?? edgeTo(shared, "script"));
    // the script node is named by its URL
    const file = script === undefined ? "" : (snap.strings[nodes[script * width + iName]!] ?? "");
    return file.split("/").slice(-2).join("/");
  };
  for (let n = 0; n < count; n++) {
    const i = n * width;
    const type = types[nodes[i + iType]!] ?? "?";
    let name = snap.strings[nodes[i + iName]!] ?? "?";
    const edges = nodes[i + iEdges]!;
    // plain objects by their property names (their shape says whose they are)
    if (type === "object" && name === "Object") {
      const props: string[] = [];
      const start = firstEdge[n]!;
      for (let e = start; e < start + edges * eWidth; e += eWidth) {
        if (eTypes[snap.edges[e + ieType]!] === "property") props.push(snap.strings[snap.edges[e + ieName]!] ?? "?");
      }
      name = `{${props.slice(0, 8).join(",")}${props.length > 8 ? ",…" : ""}}`;
    }
    // strings and numbers by type only: their names are their contents
    if (type === "string" || type === "concatenated string" || type === "sliced string" || type === "number") name = "";
    else if (name.length > 90) name = `${name.slice(0, 87)}…`;
    if (type === "closure" && reachable[n] === 1) name = `${name} @${scriptOf(n)}`;
    const key = `${type}:${name}`;
    keys[n] = key;
    if (reachable[n] === 0) continue;
    const e = out.get(key);
    const size = nodes[i + iSize]!;
    if (e === undefined) out.set(key, { count: 1, size });
    else {
      e.count++;
      e.size += size;
    }
  }
  if (retainersOf !== undefined) {
    retainers.clear();
    // each node once, under its first retainer other than a weak or shortcut edge
    const seen = new Set<number>();
    for (let n = 0; n < keys.length; n++) {
      const start = firstEdge[n]!;
      const edges = nodes[n * width + iEdges]!;
      for (let e = start; e < start + edges * eWidth; e += eWidth) {
        const to = snap.edges[e + ieTo]! / width;
        if (keys[to] !== retainersOf || seen.has(to)) continue;
        const et = eTypes[snap.edges[e + ieType]!];
        if (et === "weak") continue;
        seen.add(to);
        const en = et === "element" || et === "hidden" ? `[${et}]` : snap.strings[snap.edges[e + ieName]!];
        const k = `${keys[n]} .${en}`;
        retainers.set(k, (retainers.get(k) ?? 0) + 1);
      }
    }
  }
  return out;
}

interface Row {
  key: string;
  perConn: number;
  bytesPerConn: number;
}

function diff(before: Census, after: Census, n: number): Row[] {
  const rows: Row[] = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, size: 0 };
    rows.push({ key, perConn: (a.count - b.count) / n, bytesPerConn: (a.size - b.size) / n });
  }
  return rows.sort((x, y) => y.bytesPerConn - x.bytesPerConn);
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const server = await startServer(args);
  const here = dirname(fileURLToPath(import.meta.url));
  const loadgen = await LoadGroup.start([undefined], "raw", here);
  const dir = mkdtempSync(join(tmpdir(), "skt-idle-"));
  const report: Record<string, unknown> = { server: args.server, n: args.n, base: args.base, pingInterval: args.pingInterval };
  let failed = false;
  try {
    const connect = async (k: number, total: number): Promise<void> => {
      if (k > 0) await loadgen.connect(server.origin, "sio", "websocket", k);
      await server.counter.waitFor(total, 60_000);
    };
    // warm-up: the handshake path is compiled before the baseline
    await connect(args.base, args.base);
    if (args.heap) {
      gc();
      const m0 = process.memoryUsage();
      const before = census(dir, "before");
      await connect(args.n, args.base + args.n);
      gc();
      const m1 = process.memoryUsage();
      const after = census(dir, "after", args.retainers);
      const rows = diff(before, after, args.n);
      const total = rows.reduce((s, r) => s + r.bytesPerConn, 0);
      const timeouts = rows.filter((r) => r.key === "object:Timeout").reduce((s, r) => s + r.perConn, 0);
      const closures = rows.filter((r) => r.key.startsWith("closure:")).reduce((s, r) => s + r.perConn, 0);
      // the server's own: closures defined in core/ (not the app's, ws's or node's streams')
      const ours = rows.filter((r) => r.key.startsWith("closure:") && /@(core|engine|socket|adapter|parser|util|compat|namespace|broadcast)\//.test(r.key))
        .reduce((s, r) => s + r.perConn, 0);
      report.heap = {
        snapshotBytesPerConn: total,
        heapUsedPerConn: (m1.heapUsed - m0.heapUsed) / args.n,
        rssPerConn: (m1.rss - m0.rss) / args.n,
        timeoutsPerConn: timeouts,
        closuresPerConn: closures,
        ourClosuresPerConn: ours,
        top: rows.slice(0, args.top),
      };
      if (!args.json) {
        console.log(`${args.server}: ${args.n} idle connections over ${args.base} warm ones`);
        console.log(`snapshot ${(total / 1024).toFixed(2)} KB per connection; heapUsed ${(((m1.heapUsed - m0.heapUsed) / args.n) / 1024).toFixed(2)} KB; RSS ${(((m1.rss - m0.rss) / args.n) / 1024).toFixed(2)} KB`);
        console.log(`Timeout objects per connection: ${timeouts.toFixed(3)}; closures per connection: ${closures.toFixed(3)}, of them defined in the server's own modules: ${ours.toFixed(3)}`);
        console.log("| bytes/conn | count/conn | type:name |\n| ---: | ---: | --- |");
        for (const r of rows.slice(0, args.top)) console.log(`| ${r.bytesPerConn.toFixed(1)} | ${r.perConn.toFixed(2)} | ${r.key} |`);
        if (args.retainers !== undefined) {
          console.log(`retainers of ${args.retainers} (all of them, not a diff; ${after.get(args.retainers)?.count ?? 0} nodes):`);
          for (const [k, c] of [...retainers].sort((x, y) => y[1] - x[1]).slice(0, 12)) console.log(`  ${c} ${k}`);
        }
        const closureRows = rows.filter((r) => r.key.startsWith("closure:") && r.perConn >= 0.5);
        if (closureRows.length > 0) {
          console.log("closures per connection:");
          for (const r of closureRows) console.log(`  ${r.perConn.toFixed(2)} ${r.key}`);
        }
      }
      // the app's listeners (installSioApp: 4 per connection), ws's and node's streams' are not
      // the server's: the check is on Timeouts and on closures defined in the server's modules
      if (args.check && (timeouts >= 0.5 || ours >= 0.5)) failed = true;
    } else {
      await connect(args.n, args.base + args.n);
    }
    if (args.lagMs > 0) {
      const h = monitorEventLoopDelay({ resolution: 1 });
      // let every session go through at least one ping before sampling
      await new Promise((r) => setTimeout(r, Math.min(args.pingInterval, 5_000)));
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      h.enable();
      await new Promise((r) => setTimeout(r, args.lagMs));
      h.disable();
      const cpu = process.cpuUsage(cpu0);
      const ms = performance.now() - t0;
      const lag = {
        connections: server.counter.count,
        expected: args.base + args.n,
        pingsPerSec: ((args.base + args.n) / args.pingInterval) * 1000,
        p50Ms: h.percentile(50) / 1e6,
        p99Ms: h.percentile(99) / 1e6,
        maxMs: h.max / 1e6,
        // monitorEventLoopDelay's samples include its own 1 ms resolution
        cpuBusyPct: ((cpu.user + cpu.system) / (ms * 1000)) * 100,
      };
      report.lag = lag;
      if (!args.json) {
        console.log(`lag over ${args.lagMs} ms, ${lag.connections}/${lag.expected} connections pinging every ${args.pingInterval} ms (${lag.pingsPerSec.toFixed(0)} pings/s): ` +
          `p50 ${lag.p50Ms.toFixed(2)} ms, p99 ${lag.p99Ms.toFixed(2)} ms, max ${lag.maxMs.toFixed(2)} ms; server CPU ${lag.cpuBusyPct.toFixed(0)} %`);
      }
      if (args.check && (lag.p99Ms >= 5 || lag.connections !== lag.expected)) failed = true;
    }
  } finally {
    await loadgen.closeAll().catch(() => undefined);
    await loadgen.stop().catch(() => undefined);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(report, null, 2));
  process.exit(failed ? 1 : 0);
}

await main();
