import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectl, pulumi, repoRoot } from "../src/cluster.js";

const namespace = () =>
  (JSON.parse(pulumi(["stack", "output", "--json"]).stdout) as { namespace: string }).namespace;

// The last file: the stack is destroyed at its end.
describe("refusing bad config, and tearing the platform down", () => {
  it("when the config asks for something the program must refuse, then the preview fails naming the key and nothing changes", () => {
    const before = pulumi(["stack", "export"]).stdout;
    const dir = mkdtempSync(join(tmpdir(), "bad-config-"));
    try {
      const config = join(dir, "Pulumi.local.yaml");
      copyFileSync(join(repoRoot, "infra/platform/Pulumi.local.yaml"), config);
      const cases: [string[], RegExp][] = [
        [
          [
            'gke-platform:services["app-a"].minReplicas',
            "4",
            'gke-platform:services["app-a"].maxReplicas',
            "2",
          ],
          /services\.app-a\.minReplicas: 4 is above services\.app-a\.maxReplicas 2/,
        ],
        [["gke-platform:gatewayClassName", "no-such-class"], /gatewayClassName/],
      ];
      for (const [index, [pairs, message]] of cases.entries()) {
        const file = join(dir, `case-${String(index)}.yaml`);
        copyFileSync(config, file);
        for (let i = 0; i < pairs.length; i += 2) {
          const set = pulumi([
            "config",
            "set",
            "--path",
            pairs[i] ?? "",
            pairs[i + 1] ?? "",
            "--config-file",
            file,
          ]);
          expect(set.status, set.output).toBe(0);
        }
        const preview = pulumi(["preview", "--config-file", file]);
        expect(preview.status, preview.output).not.toBe(0);
        expect(preview.output).toMatch(message);
      }
      const removed = join(dir, "missing-secret.yaml");
      copyFileSync(config, removed);
      expect(pulumi(["config", "rm", "gke-platform:jwtSigningKey", "--config-file", removed]).status).toBe(0);
      const preview = pulumi(["preview", "--config-file", removed]);
      expect(preview.status, preview.output).not.toBe(0);
      expect(preview.output).toMatch(/jwtSigningKey/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(pulumi(["stack", "export"]).stdout).toBe(before);
  });

  it("when `pulumi destroy` runs, then it succeeds and the namespace is gone", () => {
    const ns = namespace();
    const destroy = pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(destroy.status, destroy.output).toBe(0);
    const gone = kubectl(["get", "namespace", ns], { allowFailure: true });
    expect(gone.status).not.toBe(0);
    expect(gone.output).toMatch(/NotFound|not found/);
  });
});
