/**
 * @module bench/lib/config — command-line options of `npm run bench` and the sizes of each mode.
 */

/** The servers the harness knows, in table order. */
export const SERVER_NAMES = ["socketeer", "socketio", "ws", "wstuned"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** Column titles of the servers. */
export const SERVER_LABELS: Record<ServerName, string> = {
  socketeer: "Socketeer",
  socketio: "socket.io",
  ws: "ws floor",
  wstuned: "ws tuned floor",
};

/** The raw `ws` servers: plain JSON, no Socket.IO (no long-polling scenario, no correctness pass). */
export const isFloor = (name: ServerName): boolean => name === "ws" || name === "wstuned";

export const SCENARIO_IDS = ["A", "B", "C", "D", "E", "R", "P"] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** Everything one bench run needs to know. */
export interface BenchConfig {
  readonly quick: boolean;
  /** Print JSON on stdout instead of tables. */
  readonly json: boolean;
  /** Also write the JSON to this file. */
  readonly out: string | undefined;
  readonly scenarios: readonly ScenarioId[];
  readonly servers: readonly ServerName[];
  /** Measured runs per figure (the table shows their median and min–max). */
  readonly runs: number;
  /** (A) client counts to connect. */
  readonly connectNs: readonly number[];
  /** (B, D) clients in the room. */
  readonly fanoutN: number;
  /** (B) deliveries per run (emits = deliveries / fanoutN). */
  readonly broadcastDeliveries: number;
  /** (C) closed-loop echo client counts. */
  readonly echoClients: readonly number[];
  /** (D) publishers. */
  readonly publishers: number;
  /** (E) long-polling clients. */
  readonly pollingClients: number;
  /** (C, D, E) measured time per run, in ms. */
  readonly durationMs: number;
  /** How long a step may wait for deliveries or acks before it counts as failed, in ms. */
  readonly stallMs: number;
  /** WebSocket client under the lean clients: the `ws` library's (default) or a minimal RFC 6455 one ("raw"). */
  readonly client: "raw" | "ws";
  /** Load-generator processes; undefined: one per spare CPU (at most 4) when pinning, else 1. */
  readonly workers: number | undefined;
  /** Write V8 CPU profiles of the server processes under this directory (one folder per server). */
  readonly cpuProfileDir: string | undefined;
  /** Pin the server and the load generator to separate CPUs with taskset. */
  readonly pin: boolean;
  /** Skip the warm-up pass (first calls JIT-compile the hot paths). */
  readonly warmup: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick                 small sizes, 3 runs: finishes in under two minutes
  --json                  JSON on stdout instead of tables (progress stays on stderr)
  --out FILE              also write the JSON to FILE
  --scenario A,B,...      scenarios to run (A connect, B broadcast, C echo+ack,
                          D publisher fan-out, E long-polling, R two nodes on
                          Redis: socketeer/redis vs @socket.io/redis-adapter,
                          needs Redis at REDIS_URL; P long-polling through a
                          round-robin balancer, 2 socketeer nodes + Redis,
                          stickySessions: false vs sticky routing); default all
  --servers a,b,...       socketeer,socketio,ws,wstuned (default all four;
                          wstuned: ws framing once per broadcast and
                          coalescing each socket's writes per turn)
  --runs N                measured runs per figure
  --n N1,N2               (A) client counts to connect
  --fanout N              (B, D) clients in the room
  --deliveries N          (B) deliveries per run
  --duration MS           (C, D, E) measured time per run
  --polling-clients N     (E) long-polling clients
  --client ws|raw         WebSocket client of the load generator: the ws library's
                          (default) or a minimal frame parser on node:net (raw)
  --workers N             load-generator processes (default: one per CPU beyond
                          the server's, at most 4)
  --cpu-prof DIR          write V8 CPU profiles of the servers under DIR/<server>/
                          (open them in Chrome DevTools; best with --servers one)
  --no-pin                do not pin processes to CPUs
  --no-warmup             skip the warm-up pass
  --help
`;

function parseList(v: string): string[] {
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

function parsePositive(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got ${String(v)}`);
  return n;
}

function parseClient(v: string | undefined): "raw" | "ws" {
  if (v === undefined || v === "raw" || v === "ws") return v ?? "ws";
  throw new Error(`--client is raw or ws, got ${v}`);
}

/**
 * Parses the command line.
 * @returns the config, or "help" when --help was given
 * @throws Error naming the bad option
 */
export function parseArgs(argv: readonly string[]): BenchConfig | "help" {
  const flags = new Map<string, string>();
  const booleans = new Set(["--quick", "--json", "--no-pin", "--no-warmup", "--help"]);
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.indexOf("=");
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    if (booleans.has(name)) {
      flags.set(name, "true");
      continue;
    }
    const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
    const known = ["--client", "--workers", "--cpu-prof", "--out", "--scenario", "--scenarios", "--servers", "--runs", "--n", "--fanout", "--deliveries", "--duration", "--polling-clients"];
    if (!known.includes(name)) throw new Error(`unknown option ${name}\n\n${USAGE}`);
    if (value === undefined) throw new Error(`${name} needs a value`);
    flags.set(name === "--scenarios" ? "--scenario" : name, value);
  }
  if (flags.has("--help")) return "help";
  const quick = flags.has("--quick");

  const scenarios = flags.has("--scenario")
    ? parseList(flags.get("--scenario") as string).map((s) => s.toUpperCase())
    : [...SCENARIO_IDS];
  for (const s of scenarios) {
    if (!(SCENARIO_IDS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s} (A–E, R, P)`);
  }
  const servers = flags.has("--servers") ? parseList(flags.get("--servers") as string) : [...SERVER_NAMES];
  for (const s of servers) {
    if (!(SERVER_NAMES as readonly string[]).includes(s)) throw new Error(`unknown server ${s} (${SERVER_NAMES.join(", ")})`);
  }
  const num = (name: string, fallback: number): number =>
    flags.has(name) ? parsePositive(name, flags.get(name)) : fallback;

  return {
    quick,
    json: flags.has("--json"),
    out: flags.get("--out"),
    scenarios: SCENARIO_IDS.filter((s) => scenarios.includes(s)),
    servers: SERVER_NAMES.filter((s) => servers.includes(s)),
    runs: num("--runs", quick ? 3 : 5),
    connectNs: flags.has("--n")
      ? parseList(flags.get("--n") as string).map((v) => parsePositive("--n", v))
      : quick ? [1_000] : [1_000, 10_000],
    fanoutN: num("--fanout", quick ? 500 : 1_000),
    broadcastDeliveries: num("--deliveries", quick ? 30_000 : 300_000),
    echoClients: [1, 50],
    publishers: 10,
    pollingClients: num("--polling-clients", quick ? 20 : 50),
    durationMs: num("--duration", quick ? 500 : 3_000),
    stallMs: quick ? 20_000 : 60_000,
    client: parseClient(flags.get("--client")),
    cpuProfileDir: flags.get("--cpu-prof"),
    workers: flags.has("--workers") ? parsePositive("--workers", flags.get("--workers")) : undefined,
    pin: !flags.has("--no-pin"),
    warmup: !flags.has("--no-warmup"),
  };
}
