/** One cumulative bucket of a Prometheus histogram, merged across label sets. */
export interface CumulativeBucket {
  le: number;
  count: number;
}

/**
 * Prometheus' `histogram_quantile`: find the bucket holding rank q·total and interpolate
 * linearly inside it (from 0 for the first bucket). A rank in the +Inf bucket answers the
 * highest finite bound. Null without observations.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return previousLe;
      const inBucket = bucket.count - previousCount;
      if (inBucket === 0) return bucket.le;
      return previousLe + (bucket.le - previousLe) * ((rank - previousCount) / inBucket);
    }
    previousLe = bucket.le;
    previousCount = bucket.count;
  }
  return previousLe;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

/** Sums prom-client histogram `_bucket` values by `le` across every other label. */
export function mergeBuckets(values: readonly MetricValue[], metricName: string): CumulativeBucket[] {
  const byLe = new Map<number, number>();
  for (const v of values) {
    if (v.metricName !== `${metricName}_bucket`) continue;
    const raw = v.labels.le;
    const le = raw === '+Inf' ? Infinity : Number(raw);
    if (Number.isNaN(le)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + v.value);
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count }));
}
