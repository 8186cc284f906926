import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { measureEfficiency, renderEfficiencyMarkdown, roundOrder, spread } from "../src/efficiency.js";

/** A server process that answers every request with 200 after burning `burnMs` of CPU. */
async function burner(burnMs: number): Promise<{ child: ChildProcess; url: string }> {
  const script = `
    const http = require("node:http");
    const server = http.createServer((req, res) => {
      const end = performance.now() + ${burnMs};
      while (performance.now() < end);
      res.end("{}");
    });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return { child, url: `http://127.0.0.1:${line}` };
}

const children: ChildProcess[] = [];
/** Short rounds: the tests check what the figures say, not how well they are measured. */
const QUICK = {
  roundSeconds: 1.5,
  rounds: 2,
  warmupSeconds: 0.5,
  maxSeconds: 1,
  halfLoadSeconds: 1,
  connections: 4,
};
afterAll(() => {
  for (const c of children) c.kill();
});

describe("efficiency", () => {
  it("when a server spends twice the baseline's CPU per request, then its efficiency is about 0.5", async () => {
    const [fast, slow] = await Promise.all([burner(2), burner(4)]);
    children.push(fast.child, slow.child);
    const lines: string[] = [];
    const r = await measureEfficiency(
      [
        { name: "baseline", pid: fast.child.pid!, url: fast.url, baseline: true },
        { name: "slow", pid: slow.child.pid!, url: slow.url },
      ],
      ["a", "b"],
      "token",
      { ...QUICK, rate: 100 },
      (line) => lines.push(line),
    );
    const slowFigures = r.servers.find((s) => s.name === "slow")!;
    expect(slowFigures.rounds).toHaveLength(2);
    expect(slowFigures.efficiency!.median).toBeGreaterThan(0.35);
    expect(slowFigures.efficiency!.median).toBeLessThan(0.7);
    expect(r.servers.find((s) => s.name === "baseline")!.efficiency).toBeUndefined();
    // The slow server tops out near 1000 / 4 ms = 250 req/s; half load is half of what it reached.
    expect(r.appAClosedLoopRps).toBeLessThan(300);
    expect(renderEfficiencyMarkdown(r)).toContain("| slow |");
  }, 30_000);

  it("when servers are loaded simultaneously, then an A/B's paired ratio tells the cheaper build", async () => {
    const [base, app, cheaper] = await Promise.all([burner(1), burner(4), burner(2)]);
    children.push(base.child, app.child, cheaper.child);
    const r = await measureEfficiency(
      [
        { name: "baseline", pid: base.child.pid!, url: base.url, baseline: true },
        { name: "app-a", pid: app.child.pid!, url: app.url },
        { name: "app-a cheaper", pid: cheaper.child.pid!, url: cheaper.url },
      ],
      ["a"],
      "token",
      { ...QUICK, rate: 60, simultaneous: true },
      () => undefined,
    );
    const paired = r.servers.find((s) => s.name === "app-a cheaper")!.pairedToAppA!;
    expect(paired.median).toBeGreaterThan(0.3);
    expect(paired.median).toBeLessThan(0.75);
    expect(r.servers.find((s) => s.name === "app-a")!.pairedToAppA).toBeUndefined();
    expect(renderEfficiencyMarkdown(r)).toContain("simultaneous rounds");
  }, 30_000);

  it("when rounds alternate, then every other round runs the servers in reverse order", () => {
    expect(roundOrder(["raw", "app"], 0)).toEqual(["raw", "app"]);
    expect(roundOrder(["raw", "app"], 1)).toEqual(["app", "raw"]);
  });

  it("when values are given, then the spread is their median and range", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});
