/**
 * A fixed-width latency histogram that child processes fill and stream to
 * the parent as cumulative snapshots (toData), and that the parent merges.
 *
 * Bucket i holds values in (i * bucketMs, (i + 1) * bucketMs]; bucket 0 also
 * holds 0 (and negatives, clamped). Upper-inclusive buckets make a
 * percentile read as "no more than this", so the histogram never reports a
 * latency lower than one that was recorded.
 */
import type { HistogramData } from './types.js';

/** Default bucket width, ms. */
export const DEFAULT_BUCKET_MS = 0.1;
/** Default top of the range, ms; values above it are only counted, in `overflow`. */
export const DEFAULT_MAX_MS = 2000;

/** Tolerance for float noise when dividing by the bucket width (0.3 / 0.1 = 2.9999999999999996). */
const EPS = 1e-9;

/** Rounds away float noise such as 0.30000000000000004 so edges print and compare cleanly. */
function clean(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/** Fixed-width buckets from 0 to maxMs, plus an overflow count. */
export class LatencyHistogram {
  readonly bucketMs: number;
  readonly maxMs: number;
  private readonly buckets: number;
  /** Grown on demand, so a histogram of small values stays small. */
  private counts: number[] = [];
  private overflowCount = 0;
  private total = 0;

  constructor(opts: { bucketMs?: number; maxMs?: number } = {}) {
    const bucketMs = opts.bucketMs ?? DEFAULT_BUCKET_MS;
    const maxMs = opts.maxMs ?? DEFAULT_MAX_MS;
    if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) throw new RangeError(`bucketMs must be > 0, got ${bucketMs}`);
    if (!(maxMs >= bucketMs) || !Number.isFinite(maxMs)) throw new RangeError(`maxMs must be >= bucketMs, got ${maxMs}`);
    this.bucketMs = bucketMs;
    this.maxMs = maxMs;
    this.buckets = Math.max(1, Math.ceil(clean(maxMs / bucketMs)));
  }

  /** Values recorded, overflow included. */
  get count(): number {
    return this.total;
  }

  /** Values recorded above maxMs. */
  get overflow(): number {
    return this.overflowCount;
  }

  /** Records one value, ms. Negatives count as 0; values above maxMs go to overflow. */
  record(ms: number): void {
    if (Number.isNaN(ms)) throw new RangeError('LatencyHistogram.record: NaN');
    this.total += 1;
    if (ms > this.maxMs) {
      this.overflowCount += 1;
      return;
    }
    const i = this.indexOf(ms);
    while (this.counts.length <= i) this.counts.push(0);
    this.counts[i] = (this.counts[i] as number) + 1;
  }

  /** Adds another histogram's counts into this one. Both must have the same bucketMs and maxMs. */
  merge(other: LatencyHistogram | HistogramData): this {
    const d = other instanceof LatencyHistogram ? other.toData() : other;
    this.checkCompatible(d);
    while (this.counts.length < d.counts.length) this.counts.push(0);
    d.counts.forEach((c, i) => {
      this.counts[i] = (this.counts[i] as number) + c;
    });
    this.overflowCount += d.overflow;
    this.total += d.count;
    return this;
  }

  /**
   * The upper edge of the bucket holding the p-th value (nearest rank,
   * p in 0..100), maxMs when that value is in the overflow, null when empty.
   */
  percentile(p: number): number | null {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p * this.total) / 100));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return clean((i + 1) * this.bucketMs);
    }
    return this.maxMs;
  }

  /** A JSON-safe snapshot with trailing empty buckets trimmed. */
  toData(): HistogramData {
    let end = this.counts.length;
    while (end > 0 && this.counts[end - 1] === 0) end--;
    return {
      bucketMs: this.bucketMs,
      counts: this.counts.slice(0, end),
      overflow: this.overflowCount,
      count: this.total,
      maxMs: this.maxMs,
    };
  }

  /**
   * What was recorded after `baseline` was taken: both are cumulative snapshots of the same
   * histogram, so the difference is bucket by bucket.
   */
  static since(latest: HistogramData, baseline: HistogramData | null | undefined): HistogramData {
    if (!baseline) return latest;
    const counts = latest.counts.map((c, i) => Math.max(0, c - (baseline.counts[i] ?? 0)));
    return {
      ...latest,
      counts,
      overflow: Math.max(0, latest.overflow - baseline.overflow),
      count: counts.reduce((a, b) => a + b, 0) + Math.max(0, latest.overflow - baseline.overflow),
    };
  }

  /**
   * Merges what each source recorded since its baseline (both cumulative snapshots); sources with
   * no latest snapshot are skipped, and one that does not fit the others is left out and passed to
   * `onMisfit`. Null when nothing was merged.
   */
  static mergeSince<T extends { latest: HistogramData | null; baseline?: HistogramData | null }>(
    sources: Iterable<T>, onMisfit: (source: T, err: Error) => void = () => undefined,
  ): LatencyHistogram | null {
    let merged: LatencyHistogram | null = null;
    for (const src of sources) {
      if (src.latest === null) continue;
      const d = LatencyHistogram.since(src.latest, src.baseline);
      try {
        if (merged === null) merged = LatencyHistogram.fromData(d);
        else merged.merge(d);
      } catch (err) {
        onMisfit(src, err as Error);
      }
    }
    return merged;
  }

  /** Rebuilds a histogram from a snapshot, checking that it is consistent. */
  static fromData(d: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram({ bucketMs: d.bucketMs, maxMs: d.maxMs });
    return h.merge(d);
  }

  private indexOf(ms: number): number {
    if (ms <= 0) return 0;
    const q = ms / this.bucketMs;
    const r = Math.round(q);
    const upper = Math.abs(q - r) < EPS * Math.max(1, q) ? r : Math.ceil(q);
    return Math.min(Math.max(upper - 1, 0), this.buckets - 1);
  }

  private checkCompatible(d: HistogramData): void {
    if (d.bucketMs !== this.bucketMs || d.maxMs !== this.maxMs) {
      throw new RangeError(
        `histogram buckets differ: ${d.bucketMs} ms up to ${d.maxMs} ms vs ${this.bucketMs} ms up to ${this.maxMs} ms`,
      );
    }
    if (!Array.isArray(d.counts) || d.counts.length > this.buckets || !d.counts.every(isCount)) {
      throw new RangeError('histogram data: counts must be at most one non-negative integer per bucket');
    }
    if (!isCount(d.overflow) || !isCount(d.count)) throw new RangeError('histogram data: bad overflow or count');
    const sum = d.counts.reduce((a, b) => a + b, 0) + d.overflow;
    if (sum !== d.count) throw new RangeError(`histogram data: count ${d.count} but buckets hold ${sum}`);
  }
}
