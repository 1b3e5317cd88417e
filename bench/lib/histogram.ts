/**
 * @module bench/lib/histogram — a fixed-size log-bucket latency histogram (about 1 % precision,
 * 1 µs to ~100 s) so that millions of samples cost neither memory nor a sort.
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_US = 1;
const BUCKETS = Math.ceil(Math.log(1e8 / MIN_US) / LOG_GROWTH) + 1;

/** A histogram's samples in transit: non-empty buckets and the largest sample, in ms. */
export interface HistogramData {
  readonly buckets: readonly (readonly [number, number])[];
  readonly max: number;
}

/** Latency histogram; record in milliseconds, read percentiles in milliseconds. */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;
  #max = 0;

  /** Number of recorded samples. */
  get count(): number {
    return this.#total;
  }

  /** Records one latency, in ms. */
  record(ms: number): void {
    const us = ms * 1000;
    const i = us <= MIN_US ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(us / MIN_US) / LOG_GROWTH));
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#total++;
    if (ms > this.#max) this.#max = ms;
  }

  /** The non-empty buckets as `[index, count]` pairs and the maximum, to send over IPC. */
  toJSON(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.#counts[i] ?? 0;
      if (c > 0) buckets.push([i, c]);
    }
    return { buckets, max: this.#max };
  }

  /** Adds the samples of another histogram (e.g. from another load-generator process). */
  merge(data: HistogramData): void {
    for (const [i, c] of data.buckets) {
      if (i < 0 || i >= BUCKETS) continue;
      this.#counts[i] = (this.#counts[i] ?? 0) + c;
      this.#total += c;
    }
    if (data.max > this.#max) this.#max = data.max;
  }

  /**
   * The latency under which `p` (0–100) percent of the samples fall, in ms (bucket midpoint).
   * @returns NaN when nothing was recorded
   */
  percentile(p: number): number {
    if (this.#total === 0) return Number.NaN;
    if (p >= 100) return this.#max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return (MIN_US * GROWTH ** (i + 0.5)) / 1000;
    }
    return this.#max;
  }
}
