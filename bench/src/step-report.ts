/** The measured capacity of a step-load run and its report (JSON + a markdown table). */
import type { StepMeasurement } from "./open-loop.js";

/** What a step must meet: p99 at or under the objective, and fewer than this share of errors. */
export const MAX_ERROR_RATE = 0.001;

export interface Objective {
  readonly p99Ms: number;
}

export interface StepLoadReport {
  readonly op: string;
  readonly baseUrl: string;
  readonly startedAt: string;
  readonly connections: number;
  readonly stepSeconds: number;
  readonly objective: { readonly p99Ms: number; readonly maxErrorRate: number };
  readonly steps: readonly (StepMeasurement & {
    readonly meetsObjective: boolean;
    /** With --cpu-pid: that process's CPU over the measured step only (not the set-up or the warm-up). */
    readonly cpu?: StepCpu;
  })[];
  /** Offered rate of the measured capacity step, or null when the first step already missed the objective. */
  readonly capacityRps: number | null;
}

export interface StepCpu {
  readonly cores: number;
  readonly msPerRequest: number;
}

export function meetsObjective(step: StepMeasurement, objective: Objective): boolean {
  return step.latencyMs.p99 <= objective.p99Ms && step.errorRate < MAX_ERROR_RATE;
}

/**
 * The measured capacity: the highest offered rate of the steps that met the objective, counting only steps below
 * the first one that missed it (steps rise; a higher rate passing after a lower one failed is noise, not
 * capacity). Undefined when the first step missed.
 */
export function measuredCapacity(
  steps: readonly StepMeasurement[],
  objective: Objective,
): StepMeasurement | undefined {
  let best: StepMeasurement | undefined;
  for (const step of [...steps].sort((a, b) => a.offeredRps - b.offeredRps)) {
    if (!meetsObjective(step, objective)) break;
    best = step;
  }
  return best;
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US"));
const rps = (value: number) => Math.round(value).toLocaleString("en-US");

export function renderStepMarkdown(report: StepLoadReport): string {
  const lines = [
    `# Step load: ${report.op}`,
    "",
    `Target ${report.baseUrl}, started ${report.startedAt}. Open loop: each request sent at its scheduled time over ` +
      `${report.connections} keep-alive connections, ${report.stepSeconds} s per step; latency measured from the ` +
      `scheduled time (corrected for coordinated omission). Objective: p99 ≤ ${report.objective.p99Ms} ms with ` +
      `< ${report.objective.maxErrorRate * 100}% errors.`,
    "",
    "| offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | errors | error % | send lag p99 / max ms | meets |",
    "| ------------: | -------------: | -----: | -----: | -----: | -----: | -----: | ------: | --------------------: | :---: |",
    ...report.steps.map(
      (s) =>
        `| ${rps(s.offeredRps)} | ${rps(s.achievedRps)} | ${ms(s.latencyMs.p50)} | ${ms(s.latencyMs.p90)} | ` +
        `${ms(s.latencyMs.p99)} | ${ms(s.latencyMs.max)} | ${s.errors} | ${(s.errorRate * 100).toFixed(2)} | ` +
        `${ms(s.sendLagP99Ms)} / ${ms(s.maxSendLagMs)} | ${s.meetsObjective ? "yes" : "no"} |`,
    ),
    "",
    report.capacityRps === null
      ? "**Measured capacity: none** (the first step already missed the objective)."
      : `**Measured capacity: ${rps(report.capacityRps)} req/s** (highest step meeting the objective` +
        `${report.steps.every((s) => s.meetsObjective) ? "; every step met it, so this is a lower bound" : ""}).`,
  ];
  const lagging = report.steps.filter((s) => s.sendLagP99Ms > report.objective.p99Ms / 10);
  if (lagging.length > 0) {
    lines.push(
      "",
      `The generator itself sent late (send lag p99 above ${ms(report.objective.p99Ms / 10)} ms) at ` +
        `${lagging.map((s) => rps(s.offeredRps)).join(", ")} req/s: that latency is the client's, so those steps ` +
        "understate the target; run them again from a less loaded machine.",
    );
  }
  const errorKinds = report.steps.filter((s) => s.errors > 0);
  if (errorKinds.length > 0) {
    lines.push("", "Errors by kind:", "");
    for (const s of errorKinds) lines.push(`- ${rps(s.offeredRps)} req/s: ${JSON.stringify(s.errorsByKind)}`);
  }
  return `${lines.join("\n")}\n`;
}
