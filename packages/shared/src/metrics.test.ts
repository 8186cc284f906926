import { describe, expect, it } from "vitest";
import { createMetrics, markUnmatched, routeLabel } from "./metrics.js";

const res = () => ({ locals: {} as Record<string, unknown> });

describe("routeLabel", () => {
  it("when a route matched inside a mounted router, then the label is the full pattern", () => {
    expect(routeLabel({ baseUrl: "/v1/jobs", route: { path: "/:id" } } as never, res() as never)).toBe(
      "/v1/jobs/:id",
    );
  });

  it("when no route matched, then the label is unmatched, not the raw URL", () => {
    expect(routeLabel({ baseUrl: "", route: undefined } as never, res() as never)).toBe("unmatched");
  });

  it("when the 404 handler marked the response, then the label is unmatched even if a route ran before", () => {
    const r = res();
    markUnmatched(r as never);
    expect(routeLabel({ baseUrl: "", route: { path: "/v1/jobs/:id" } } as never, r as never)).toBe(
      "unmatched",
    );
  });
});

describe("event loop lag", () => {
  it("when the event loop is blocked for 200 ms, then the lag maximum shows it despite the 50 ms sampling", async () => {
    const { registry } = createMetrics({ service: "test" });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // Busy: a stall the way a synchronous hot loop in a handler would cause one.
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
    // The lag metrics are filled in when a scrape collects them all, so read them the way a scrape does.
    const all = await registry.getMetricsAsJSON();
    const max = all.find((m) => m.name === "nodejs_eventloop_lag_max_seconds");
    expect(max?.values[0]?.value).toBeGreaterThan(0.15);
  });
});
