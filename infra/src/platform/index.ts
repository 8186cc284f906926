/**
 * Entry point of the platform layer (platform/Pulumi.yaml runs the compiled dist/platform/index.js): read the
 * stack's typed configuration, resolve the cluster's values (cloud stack or config), declare every Kubernetes
 * object, export what delivery reads. Config errors stop the run before any Kubernetes object is declared.
 */
import * as pulumi from "@pulumi/pulumi";

import { resolveClusterInputs } from "./cluster-inputs.js";
import { loadPlatformConfig } from "./config.js";
import { createPlatform } from "./program.js";

const config = loadPlatformConfig();
for (const key of config.deprecatedKeys)
  void pulumi.log.warn(
    `${key} is a pre-catalogue key: still honoured, but move it under services / mongodbPasswords / mongodbUris (infra/README.md, "Per-service config")`,
  );
const platform = createPlatform(config, await resolveClusterInputs(config));

export const gatewayUrl = platform.gatewayUrl;
export const images = platform.images;
export const namespace = platform.namespace;
