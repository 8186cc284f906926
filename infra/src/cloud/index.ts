/**
 * Entry point of the cloud layer (cloud/Pulumi.yaml runs the compiled dist/cloud/index.js): read the stack's
 * typed configuration, create the Google Cloud resources, export what the platform layer and people need.
 */
import { createCloud } from "./program.js";
import { loadCloudConfig } from "./config.js";

const cloud = createCloud(loadCloudConfig());

export const kubeconfig = cloud.kubeconfig;
export const registryUrl = cloud.registryUrl;
export const clusterName = cloud.clusterName;
export const zoneCount = cloud.zoneCount;
export const domain = cloud.domain;
export const gatewayIp = cloud.gatewayIp;
export const gatewayAddressName = cloud.gatewayAddressName;
export const certificateMapName = cloud.certificateMapName;
export const sslPolicyName = cloud.sslPolicyName;
export const securityPolicyName = cloud.securityPolicyName;
export const backupBucket = cloud.backupBucket;
export const backupServiceAccount = cloud.backupServiceAccount;
export const apiServerCidrs = cloud.apiServerCidrs;
export const jwtSigningKey = cloud.jwtSigningKey;
export const jwtVerificationKeys = cloud.jwtVerificationKeys;
export const mongodbPasswords = cloud.mongodbPasswords;
export const mongodbBackupPassword = cloud.mongodbBackupPassword;
