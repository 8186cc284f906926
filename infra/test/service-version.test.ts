import { describe, expect, it } from "vitest";

import { imageVersion } from "../src/platform/program.js";
import { runForTest, type StackRun } from "./support/platform.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;

/** The SERVICE_VERSION each app's Deployment sets, or undefined when it sets none. */
function serviceVersions(run: StackRun): Record<string, string | undefined> {
  return Object.fromEntries(
    ["app-a", "app-b"].map((app) => {
      const env = run.object("Deployment", app).spec.template.spec.containers[0].env as {
        name: string;
        value?: string;
      }[];
      return [app, env.find((e) => e.name === "SERVICE_VERSION")?.value];
    }),
  );
}

describe("SERVICE_VERSION from the image reference (what X-App-Version reports)", () => {
  it.each([
    ["localhost/gke-platform/app-a:0.1.0-118cb37716da", "0.1.0"],
    [`europe-west1-docker.pkg.dev/p/platform/app-a:1.2.3@${DIGEST}`, "1.2.3"],
    ["registry.internal:5000/app-a:2.0.10", "2.0.10"],
    [`europe-west1-docker.pkg.dev/p/platform/app-a@${DIGEST}`, undefined],
    ["registry.internal:5000/app-a", undefined],
    ["local/app-a:dev", undefined],
    ["registry.internal/app-a:sha-118cb37", undefined],
    ["registry.internal/app-a:1.2", undefined],
  ])("when the image is %s, then the version is %s", (reference, expected) => {
    expect(imageVersion(reference)).toBe(expected);
  });

  it("when a stack deploys version-tagged images, then each Deployment sets SERVICE_VERSION to its image's version", async () => {
    const run = await runForTest("dev", {
      "gke-platform:services": JSON.stringify({
        "app-a": { image: "localhost/gke-platform/app-a:0.1.0-118cb37716da" },
        "app-b": { image: `europe-west1-docker.pkg.dev/p/platform/app-b:1.2.3@${DIGEST}` },
      }),
    });
    expect(serviceVersions(run)).toEqual({ "app-a": "0.1.0", "app-b": "1.2.3" });
  });

  it("when a bare tag points into the stack's registry, then its version is used (the committed dev stack's 0.1.0)", async () => {
    expect(serviceVersions(await runForTest("dev"))).toEqual({ "app-a": "0.1.0", "app-b": "0.1.0" });
  });

  it("when an image has no version tag (a digest as CI deploys it, or a local :dev tag), then SERVICE_VERSION is left unset", async () => {
    const byDigest = await runForTest("prod", {
      "gke-platform:services": JSON.stringify({
        "app-a": { image: `europe-west1-docker.pkg.dev/p/platform/app-a@${DIGEST}`, minReplicas: 3 },
        "app-b": { image: DIGEST, minReplicas: 3 },
      }),
    });
    expect(serviceVersions(byDigest)).toEqual({ "app-a": undefined, "app-b": undefined });
    expect(serviceVersions(await runForTest("local.example"))).toEqual({
      "app-a": undefined,
      "app-b": undefined,
    });
  });
});
