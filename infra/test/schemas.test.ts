import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { loadCrdValidators } from "./support/crd-schemas.js";
import { isCoreKind, PLATFORM_STACKS, renderedObjects, type K8sObject } from "./support/rendered.js";
import { requireTool, run } from "./support/tools.js";

/** Oldest minor version on GKE's channels we target (preStop `sleep` needs 1.30+). */
const KUBERNETES_VERSION = "1.33.0";
const INSTALL_HINT = "bash scripts/install-tools.sh (pip install kubernetes-validate into the tools venv)";

function kubernetesValidate(objects: K8sObject[]) {
  const bin = requireTool("kubernetes-validate", INSTALL_HINT);
  const dir = mkdtempSync(path.join(os.tmpdir(), "infra-kv-"));
  const file = path.join(dir, "objects.yaml");
  writeFileSync(file, objects.map((o) => stringify(o)).join("---\n"));
  return run(bin, ["--strict", "--no-warn", "-k", KUBERNETES_VERSION, file]);
}

const crds = loadCrdValidators();

/** Custom resources each rendered stack must contain: the GKE variant has them all, the local one the Gateway's. */
const EXPECTED_CUSTOM = {
  dev: [
    "Gateway",
    "HTTPRoute",
    "HealthCheckPolicy",
    "GCPBackendPolicy",
    "GCPGatewayPolicy",
    "PodMonitoring",
    "MongoDBCommunity",
  ],
  prod: [
    "Gateway",
    "HTTPRoute",
    "HealthCheckPolicy",
    "GCPBackendPolicy",
    "GCPGatewayPolicy",
    "PodMonitoring",
    "MongoDBCommunity",
  ],
  "local.example": ["Gateway", "HTTPRoute"],
} as const;

describe.each(PLATFORM_STACKS)("rendered %s platform stack", (stack) => {
  const objects = renderedObjects(stack);
  const core = objects.filter(isCoreKind);
  const custom = objects.filter((o) => !isCoreKind(o));

  it("when rendered, then it contains both core objects and custom resources", () => {
    expect(core.length).toBeGreaterThan(15);
    expect(custom.map((o) => o.kind).sort()).toEqual(expect.arrayContaining([...EXPECTED_CUSTOM[stack]]));
  });

  it("when core objects are validated strictly against the Kubernetes API schemas, then every one passes", () => {
    const result = kubernetesValidate(core);
    expect(result.stderr + result.stdout).not.toMatch(/ERROR|FAIL|Traceback/i);
    expect(result.status).toBe(0);
    expect(result.stdout.match(/ passed for resource /g)?.length).toBe(core.length);
  });

  it.each(custom.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    "when %s is validated against its CRD schema, then it has no unknown or ill-typed field",
    (_label, object) => {
      const validate = crds.get(object.apiVersion, object.kind);
      expect(validate, `no CRD in shared/crds for ${object.apiVersion} ${object.kind}`).toBeDefined();
      const ok = validate!(object);
      expect(validate!.errors ?? [], JSON.stringify(validate!.errors, null, 2)).toEqual([]);
      expect(ok).toBe(true);
    },
  );
});

describe("the validators themselves", () => {
  const deployment = renderedObjects("prod").find((o) => o.kind === "Deployment")!;
  const gateway = renderedObjects("prod").find((o) => o.kind === "Gateway")!;

  it("when a Deployment has an unknown field, then kubernetes-validate in strict mode rejects it", () => {
    const broken = structuredClone(deployment);
    broken.spec.template.spec.containers[0].livenessProbes = {};
    expect(kubernetesValidate([broken]).status).not.toBe(0);
  });

  it("when a Gateway has an unknown field, then the CRD validator rejects it", () => {
    const broken = structuredClone(gateway);
    broken.spec.listeners[0].tlsMode = "Terminate";
    expect(crds.get(broken.apiVersion, broken.kind)!(broken)).toBe(false);
  });

  it("when a MongoDBCommunity misses required fields, then the CRD validator rejects it", () => {
    const broken = {
      apiVersion: "mongodbcommunity.mongodb.com/v1",
      kind: "MongoDBCommunity",
      metadata: { name: "x" },
      spec: { members: 3 },
    };
    expect(crds.get(broken.apiVersion, broken.kind)!(broken)).toBe(false);
  });
});
