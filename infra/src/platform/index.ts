/**
 * Pulumi entry point: read the stack's typed configuration, build the platform, export its outputs.
 * Everything else lives in program.ts and components/.
 */
import { loadConfig } from "./config.js";
import { createPlatform } from "./program.js";

const platform = createPlatform(loadConfig());

export const gatewayIp = platform.gatewayIp;
export const gatewayUrl = platform.gatewayUrl;
export const kubeconfig = platform.kubeconfig;
export const registryUrl = platform.registryUrl;
export const images = platform.images;
export const clusterName = platform.clusterName;
export const namespace = platform.namespace;
export const mongodb = platform.mongodb;
export const backupBucket = platform.backupBucket;
