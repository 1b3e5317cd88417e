/**
 * @module bench/lib/stats — summaries of repeated runs (median with min–max) and number formats
 * for the tables.
 */

/** Median and range of the samples of one figure across runs. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/**
 * Summarises samples; NaN samples (a failed run) are left out.
 * @returns undefined when no sample is a number
 */
export function summarize(samples: readonly number[]): Summary | undefined {
  const ok = samples.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return undefined;
  const sorted = [...ok].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, samples: ok };
}

/** A number with three significant digits and a k/M suffix for large values. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** A value in its unit: bytes become KB, everything else keeps its unit. */
export function formatValue(v: number, unit: string): string {
  if (unit === "B") return `${formatNumber(v / 1024)} KB`;
  return `${formatNumber(v)} ${unit}`.trimEnd();
}

/** "median (min–max)" in the unit, or "median" alone with a single run. */
export function formatSummary(s: Summary | undefined, unit: string): string {
  if (!s) return "–";
  const m = formatValue(s.median, unit);
  if (s.samples.length < 2) return m;
  const scale = unit === "B" ? 1024 : 1;
  return `${m} (${formatNumber(s.min / scale)}–${formatNumber(s.max / scale)})`;
}

/** A ratio like "1.23×", or "–". */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return "–";
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}
