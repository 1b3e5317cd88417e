/**
 * @module bench/lib/report — collects the figures of every run, and renders them: one table per
 * case (median with min–max per server, ratios of medians), the targets of issue 8, and the JSON
 * for machines.
 */
import { SERVER_LABELS, type ServerName } from "./config.js";
import type { CorrectnessResult } from "./correctness.js";
import type { CaseDef, Figures } from "./scenarios.js";
import { formatRatio, formatSummary, summarize, type Summary } from "./stats.js";

/** A server's part in the run. */
export interface ServerInfo {
  readonly name: ServerName;
  readonly label: string;
  status: "ok" | "skipped" | "failed";
  version?: string;
  note?: string;
}

/** Ratio of medians, keyed "a/b" (e.g. "socketeer/socketio"). */
export type Ratios = Record<string, number | null>;

export interface MetricResult {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: "higher" | "lower";
  readonly diagnostic?: boolean;
  readonly results: Partial<Record<ServerName, Summary>>;
  readonly ratios: Ratios;
}

export interface CaseResult {
  readonly id: string;
  readonly scenario: string;
  readonly title: string;
  readonly params: Readonly<Record<string, number>>;
  readonly metrics: readonly MetricResult[];
  /** server → error of a failed run */
  readonly errors: Partial<Record<ServerName, string>>;
}

export interface TargetResult {
  readonly id: string;
  readonly text: string;
  readonly caseId: string;
  readonly metric: string;
  /** Socketeer's median ÷ this server's median. */
  readonly vs: ServerName;
  readonly op: "<=" | ">=";
  readonly limit: number;
  readonly ratio: number | null;
  /** An absolute bound on Socketeer's median, in the metric's unit. */
  readonly absolute?: { readonly limit: number; readonly value: number | null };
  /** null when it could not be evaluated (a server or the case missing). */
  readonly pass: boolean | null;
}

/** Everything `--json` prints. */
export interface BenchResult {
  readonly schema: "socketeer-bench/1";
  readonly meta: Record<string, unknown>;
  readonly servers: readonly ServerInfo[];
  readonly correctness: Partial<Record<ServerName, CorrectnessResult>>;
  readonly cases: readonly CaseResult[];
  readonly targets: readonly TargetResult[];
}

const RATIO_PAIRS: readonly [ServerName, ServerName][] = [
  ["socketeer", "socketio"], ["socketeer", "ws"], ["socketeer", "wstuned"], ["socketio", "ws"], ["socketio", "wstuned"],
];

/** Accumulates per-run figures: case → server → metric → samples. */
export class Collector {
  readonly #defs = new Map<string, CaseDef>();
  readonly #samples = new Map<string, Map<ServerName, Map<string, number[]>>>();
  readonly #errors = new Map<string, Partial<Record<ServerName, string>>>();

  /** Declares a case so it is reported even if every run fails. */
  declare(def: CaseDef): void {
    if (!this.#defs.has(def.id)) this.#defs.set(def.id, def);
  }

  add(def: CaseDef, server: ServerName, figures: Figures): void {
    this.declare(def);
    let byServer = this.#samples.get(def.id);
    if (!byServer) this.#samples.set(def.id, (byServer = new Map()));
    let byMetric = byServer.get(server);
    if (!byMetric) byServer.set(server, (byMetric = new Map()));
    for (const m of def.metrics) {
      let list = byMetric.get(m.key);
      if (!list) byMetric.set(m.key, (list = []));
      list.push(figures[m.key] ?? Number.NaN);
    }
  }

  fail(def: CaseDef, server: ServerName, error: string): void {
    this.declare(def);
    let errors = this.#errors.get(def.id);
    if (!errors) this.#errors.set(def.id, (errors = {}));
    errors[server] ??= error;
  }

  /** Medians, ranges and ratios of every declared case. */
  results(servers: readonly ServerName[]): CaseResult[] {
    return [...this.#defs.values()].map((def) => {
      const byServer = this.#samples.get(def.id);
      const metrics = def.metrics.map((m): MetricResult => {
        const results: Partial<Record<ServerName, Summary>> = {};
        for (const s of servers) {
          const sum = summarize(byServer?.get(s)?.get(m.key) ?? []);
          if (sum) results[s] = sum;
        }
        const ratios: Ratios = {};
        for (const [a, b] of RATIO_PAIRS) {
          const x = results[a]?.median;
          const y = results[b]?.median;
          if (!m.diagnostic && servers.includes(a) && servers.includes(b)) {
            ratios[`${a}/${b}`] = x !== undefined && y !== undefined && y !== 0 ? x / y : null;
          }
        }
        return { ...m, results, ratios };
      });
      return { id: def.id, scenario: def.scenario, title: def.title, params: def.params, metrics, errors: this.#errors.get(def.id) ?? {} };
    });
  }
}

interface TargetDef {
  readonly id: string;
  readonly text: string;
  /** Case id, or a function picking it among the measured ones. */
  readonly caseId: string | ((ids: string[]) => string | undefined);
  readonly metric: string;
  readonly vs: ServerName;
  readonly op: "<=" | ">=";
  readonly limit: number;
  readonly absolute?: number;
}

/** The largest A-N case measured. */
const largestConnectCase = (ids: string[]): string | undefined =>
  ids.filter((id) => id.startsWith("A-")).sort((a, b) => Number(b.slice(2)) - Number(a.slice(2)))[0];

/** The targets of issues 8 and 18, as ratios of Socketeer's median to another server's median. */
const TARGETS: readonly TargetDef[] = [
  { id: "heap-per-connection", text: "heap per idle connection ≤ 1.4× the floor and ≤ 4 KB", caseId: largestConnectCase, metric: "heapPerConn", vs: "ws", op: "<=", limit: 1.4, absolute: 4096 },
  { id: "cpu-per-connect", text: "CPU per connect ≤ 1.5× the floor", caseId: largestConnectCase, metric: "cpuPerConnect", vs: "ws", op: "<=", limit: 1.5 },
  { id: "broadcast-cpu", text: "broadcast CPU per delivery ≤ 1.2× the floor (1 emit per turn)", caseId: "B-1", metric: "cpuPerDelivery", vs: "ws", op: "<=", limit: 1.2 },
  { id: "broadcast-batched", text: "10 emits per turn: ≥ 5× socket.io's deliveries/s", caseId: "B-10", metric: "deliveriesPerSec", vs: "socketio", op: ">=", limit: 5 },
  { id: "fanout-rate", text: "publisher fan-out ≥ 4× socket.io's deliveries/s", caseId: "D", metric: "deliveriesPerSec", vs: "socketio", op: ">=", limit: 4 },
  { id: "fanout-p99", text: "publisher fan-out p99 ≤ ¼ of socket.io's", caseId: "D", metric: "p99", vs: "socketio", op: "<=", limit: 0.25 },
  { id: "ack-cpu", text: "acked echo CPU ≤ 1.15× the floor (50 clients)", caseId: "C-50", metric: "cpuPerAck", vs: "ws", op: "<=", limit: 1.15 },
  { id: "ack-latency", text: "1-client p50 latency ≤ the floor + 10%", caseId: "C-1", metric: "p50", vs: "ws", op: "<=", limit: 1.1 },
  // Issue 18: the stricter ones, and the ten-emits target against the tuned floor.
  { id: "i18-broadcast-cpu", text: "issue 18: broadcast CPU per delivery ≤ 1.0× the floor (1 emit per turn)", caseId: "B-1", metric: "cpuPerDelivery", vs: "ws", op: "<=", limit: 1 },
  { id: "i18-broadcast-tuned", text: "issue 18: 10 emits per turn ≥ 0.7× the tuned floor's deliveries/s", caseId: "B-10", metric: "deliveriesPerSec", vs: "wstuned", op: ">=", limit: 0.7 },
  { id: "i18-polling-cpu", text: "issue 18: long-polling CPU per message ≤ 0.8× socket.io's", caseId: "E", metric: "cpuPerMessage", vs: "socketio", op: "<=", limit: 0.8 },
  { id: "i18-polling-p99", text: "issue 18: long-polling p99 ≤ socket.io's", caseId: "E", metric: "p99", vs: "socketio", op: "<=", limit: 1 },
];

/** Evaluates the targets on the medians; a target whose figures are missing has `pass: null`. */
export function evaluateTargets(cases: readonly CaseResult[]): TargetResult[] {
  const ids = cases.map((c) => c.id);
  return TARGETS.map((t) => {
    const caseId = typeof t.caseId === "string" ? t.caseId : t.caseId(ids) ?? "";
    const metric = cases.find((c) => c.id === caseId)?.metrics.find((m) => m.key === t.metric);
    const ratio = metric?.ratios[`socketeer/${t.vs}`] ?? null;
    const value = metric?.results.socketeer?.median ?? null;
    let pass: boolean | null = ratio === null ? null : t.op === "<=" ? ratio <= t.limit : ratio >= t.limit;
    if (pass !== null && t.absolute !== undefined) pass = pass && value !== null && value <= t.absolute;
    return {
      id: t.id, text: t.text, caseId, metric: t.metric, vs: t.vs, op: t.op, limit: t.limit, ratio,
      ...(t.absolute === undefined ? {} : { absolute: { limit: t.absolute, value } }),
      pass,
    };
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join("\n");
}

/** The human report: one Markdown table per case, then the targets. */
export function renderTables(result: BenchResult): string {
  const servers = result.servers.filter((s) => s.status === "ok").map((s) => s.name);
  const has = (s: ServerName): boolean => servers.includes(s);
  const pairs = has("socketeer")
    ? RATIO_PAIRS.filter(([a, b]) => a === "socketeer" && has(b))
    : RATIO_PAIRS.filter(([a, b]) => has(a) && has(b));
  const out: string[] = [];
  for (const c of result.cases) {
    const head = ["", ...servers.map((s) => SERVER_LABELS[s]), ...pairs.map(([a, b]) => `${SERVER_LABELS[a]} ÷ ${SERVER_LABELS[b]}`)];
    const rows = c.metrics.map((m) => [
      m.label,
      ...servers.map((s) => (m.results[s] ? formatSummary(m.results[s], m.unit) : c.errors[s] ? "failed" : "–")),
      ...pairs.map(([a, b]) => (m.diagnostic ? "" : formatRatio(m.ratios[`${a}/${b}`]))),
    ]);
    out.push(`### ${c.title}\n\n${table([head, ...rows])}`);
    for (const [s, err] of Object.entries(c.errors)) out.push(`> ${SERVER_LABELS[s as ServerName]} failed: ${err}`);
  }
  if (has("socketeer")) {
    const rows = result.targets.map((t) => [
      t.text,
      t.ratio === null ? "–" : formatRatio(t.ratio),
      `${t.op === "<=" ? "≤" : "≥"} ${t.limit}×${t.absolute ? ` and ≤ ${t.absolute.limit / 1024} KB` : ""}`,
      t.pass === null ? "n/a" : t.pass ? "met" : "missed",
    ]);
    out.push(`### Targets (Socketeer's median ÷ the other's median)\n\n${table([["target", "ratio", "bound", ""], ...rows])}`);
  }
  return out.join("\n\n");
}
