import { describe, expect, it } from "vitest";
import { sustainableStep } from "./load.js";
import { imageNodeFlags } from "./platform.js";
import { renderMarkdown } from "./report.js";
import type { ScenarioResult, StepResult } from "./results.js";
import { escapeXml, renderChart } from "./svg.js";

function scenario(overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name: "app-a GET /v1/jobs/{id}",
    server: "app-a",
    connections: 10,
    durationSeconds: 10,
    requests: 20_000,
    rps: 2000,
    latencyMs: { p50: 4, p99: 12, p99_9: 30, max: 40 },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    rssMiB: 90,
    peakRssMiB: 110,
    serverCpuCores: 0.9,
    rpsPerCore: 2222,
    ratioToNodeHttp: 0.1,
    ...overrides,
  };
}

const step = (offeredRps: number, p99: number, extra: Partial<StepResult> = {}): StepResult => ({
  offeredRps,
  achievedRps: offeredRps,
  p50: 1,
  p99,
  non2xx: 0,
  errors: 0,
  serverCpuCores: offeredRps / 1000,
  ...extra,
});

describe("step-load selection", () => {
  it("when p99 crosses the objective, then the last step under it is sustainable", () => {
    const steps = [step(100, 5), step(200, 20), step(400, 150), step(800, 900)];
    expect(sustainableStep(steps, 100)?.offeredRps).toBe(200);
  });

  it("when a faster step had failures or fell behind the offered rate, then it does not count", () => {
    const steps = [step(100, 5), step(200, 20, { non2xx: 1 }), step(300, 30, { achievedRps: 250 })];
    expect(sustainableStep(steps, 100)?.offeredRps).toBe(100);
  });

  it("when no step meets the objective, then there is no sustainable rate", () => {
    expect(sustainableStep([step(100, 500)], 100)).toBeUndefined();
  });
});

describe("report rendering", () => {
  it("when scenario names hold markup, then the SVG escapes them and has one row per scenario", () => {
    const svg = renderChart("bench <x>", [scenario(), scenario({ name: "a & b", rps: 1000 })]);
    expect(svg).toContain("bench &#60;x&#62;");
    expect(svg).toContain("a &#38; b");
    expect(svg.match(/fill="#4e79a7"/g)).toHaveLength(2);
    expect(escapeXml(`"'`)).toBe("&#34;&#39;");
  });

  it("when rendering markdown, then each scenario is a table row with failures summed", () => {
    const md = renderMarkdown(
      {
        date: "2030-01-01",
        machine: { cpus: 2, model: "cpu", node: "v24", database: "ferretdb" },
        scenarios: [scenario({ errors: 2, non2xx: 3 })],
      },
      "2030-01-01.svg",
    );
    expect(md).toContain("| app-a GET /v1/jobs/{id} | 2,000 | 4 | 12 | 30 | 5 |");
    expect(md).toContain("![throughput and latency](2030-01-01.svg)");
  });
});

describe("image node flags", () => {
  it("when the Dockerfile's ENTRYPOINT carries node flags, then the bench runs the services with them", () => {
    const dockerfile =
      'FROM x\nENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "--max-semi-space-size=8", "dist/main.js"]\n';
    expect(imageNodeFlags(dockerfile)).toEqual(["--enable-source-maps", "--max-semi-space-size=8"]);
  });

  it("when it reads the repository's Dockerfile, then the flags are the image's", () => {
    expect(imageNodeFlags()).toContain("--enable-source-maps");
  });
});
