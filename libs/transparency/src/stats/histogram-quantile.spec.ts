import { histogramQuantile, mergeBuckets } from './histogram-quantile';

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank, like Prometheus', () => {
    // 100 observations: 50 ≤ 0.1 s, 90 ≤ 0.5 s, 100 ≤ 1 s. p95: rank 95 lies in (0.5, 1], 5 of 10 → 0.75.
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.5, count: 90 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.75, 10);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1, 10);
  });

  it('answers the highest finite bound when the rank falls in +Inf, and null with no observations', () => {
    expect(
      histogramQuantile(0.95, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
    expect(
      histogramQuantile(0.95, [
        { le: 1, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ).toBeNull();
  });

  it('merges bucket series across label sets by le', () => {
    const merged = mergeBuckets(
      [
        { metricName: 'h_bucket', labels: { le: 0.1, route: '/a' }, value: 2 },
        { metricName: 'h_bucket', labels: { le: 0.1, route: '/b' }, value: 3 },
        { metricName: 'h_bucket', labels: { le: '+Inf', route: '/a' }, value: 4 },
        { metricName: 'h_count', labels: { route: '/a' }, value: 4 },
      ],
      'h',
    );
    expect(merged).toEqual([
      { le: 0.1, count: 5 },
      { le: Infinity, count: 4 },
    ]);
  });
});
