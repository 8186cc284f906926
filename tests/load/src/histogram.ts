/**
 * Latency histogram with bounded relative error: values go into logarithmic buckets 1% wide, so memory stays small
 * for any run length while every percentile is within 1% of the exact one (reported as the bucket's upper bound,
 * never below the true value, and never above the largest value recorded).
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values at or below this (ms) share the first bucket; a loopback request never answers faster. */
const FLOOR_MS = 0.001;

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private largest = 0;

  record(ms: number): void {
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const bucket = value <= FLOOR_MS ? 0 : Math.ceil(Math.log(value / FLOOR_MS) / LOG_GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.total++;
    this.sum += value;
    this.largest = Math.max(this.largest, value);
  }

  get count(): number {
    return this.total;
  }

  /** Nearest-rank percentile (q in 0..1): the smallest value at or above which a fraction q of samples lie. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.largest, FLOOR_MS * GROWTH ** bucket);
    }
    return this.largest;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      p999: this.percentile(0.999),
      max: this.largest,
      mean: this.total === 0 ? 0 : this.sum / this.total,
    };
  }
}
