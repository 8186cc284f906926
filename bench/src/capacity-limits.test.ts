/**
 * The numbers agree: the committed production stacks can hold what the capacity model plans for the mission's peak
 * (1,000,000 requests/minute) with the measured per-pod rates, so a planned peak is never cut off by a stale cap.
 */
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { buildInputs } from "./capacity.js";
import { planCapacity } from "./capacity-model.js";

const stackFile = (layer: "cloud" | "platform") =>
  (
    parse(readFileSync(new URL(`../../infra/${layer}/Pulumi.prod.yaml`, import.meta.url), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;

describe("the production stacks against the capacity model", () => {
  const { inputs } = buildInputs([], new URL("../results", import.meta.url).pathname);
  const plan = planCapacity(inputs);

  it("when the model plans the peak, then each service's maxReplicas in prod holds its planned pods", () => {
    const services = stackFile("platform")["gke-platform:services"] as Record<
      string,
      { maxReplicas: number }
    >;
    expect(services["app-a"]!.maxReplicas).toBeGreaterThanOrEqual(plan.appAPods);
    expect(services["app-b"]!.maxReplicas).toBeGreaterThanOrEqual(plan.appBPods);
  });

  it("when the model plans the peak, then the prod node pool may grow to its planned app nodes (per zone x 3 zones)", () => {
    const perZone = stackFile("cloud")["gke-cloud:nodeMaxCount"] as number;
    expect(perZone * 3).toBeGreaterThanOrEqual(plan.nodes.peak);
  });
});
