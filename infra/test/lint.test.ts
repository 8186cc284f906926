import path from "node:path";

import { describe, expect, it } from "vitest";

import { infraDir, PLATFORM_STACKS } from "./support/rendered.js";
import { requireTool, run } from "./support/tools.js";

// kube-linter cannot be fetched through this environment's Go module proxy, so the Kubernetes linter is checkov
// (PyPI), which the issue allows. Its configuration and every justified exception live in infra/.checkov.yaml.
const INSTALL_HINT = "bash scripts/install-tools.sh (pip install checkov into the tools venv)";

describe.each(PLATFORM_STACKS)("checkov on the rendered %s manifests", (stack) => {
  it("when the manifests are scanned, then there are zero failed checks beyond the justified exceptions", () => {
    const checkov = requireTool("checkov", INSTALL_HINT);
    const manifest = path.join(".rendered", stack, "platform", "kubernetes.yaml");
    const r = run(checkov, ["--config-file", ".checkov.yaml", "-f", manifest, "-o", "json"], infraDir);
    const report = JSON.parse(r.stdout) as {
      summary: { passed: number; failed: number };
      results: { failed_checks: { check_id: string; resource: string }[] };
    };
    const failed = report.results.failed_checks.map((c) => `${c.check_id} ${c.resource}`);
    expect(failed).toEqual([]);
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(stack === "local.example" ? 50 : 100);
  });
});
