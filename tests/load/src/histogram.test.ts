import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./histogram.js";

describe("latency histogram", () => {
  it("when 1..1000 ms are recorded once each, then every percentile is within 1% of the exact nearest rank", () => {
    const h = new LatencyHistogram();
    for (let ms = 1000; ms >= 1; ms--) h.record(ms);
    for (const [q, exact] of [
      [0.5, 500],
      [0.9, 900],
      [0.99, 990],
      [0.999, 999],
      [1, 1000],
    ] as const) {
      expect(h.percentile(q)).toBeGreaterThanOrEqual(exact);
      expect(h.percentile(q)).toBeLessThanOrEqual(exact * 1.01);
    }
    expect(h.summary()).toMatchObject({ count: 1000, max: 1000, mean: 500.5 });
  });

  it("when one slow outlier sits among fast samples, then p99 stays fast and max shows the outlier", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 999; i++) h.record(2);
    h.record(5000);
    expect(h.percentile(0.99)).toBeLessThan(2.05);
    expect(h.percentile(0.999)).toBeLessThan(2.05);
    expect(h.percentile(1)).toBe(5000);
  });

  it("when nothing was recorded, then the summary is all zeros", () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      p50: 0,
      p90: 0,
      p99: 0,
      p999: 0,
      max: 0,
      mean: 0,
    });
  });
});
