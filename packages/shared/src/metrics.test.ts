import { describe, expect, it } from "vitest";
import { markUnmatched, routeLabel } from "./metrics.js";

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
