export { freePort, waitFor, waitForHttp, waitForTcp, type WaitOptions } from "./wait.js";
export { spawnManaged, which, type ManagedProcess, type SpawnOptions, type ExitInfo } from "./process.js";
export {
  startLocalMongo,
  findFerretDb,
  type LocalMongo,
  type MongoKind,
  type StartLocalMongoOptions,
} from "./mongo.js";
export { mongoHello } from "./mongo-wire.js";
export { startService, type AppName, type RunningService, type StartServiceOptions } from "./service.js";
export { startIngress, findNginx, type Ingress, type StartIngressOptions } from "./ingress.js";
export { startHealthChecks, type HealthCheckOptions, type HealthChecks } from "./health-check.js";
export {
  renderNginxConfig,
  upstreamAddress,
  upstreamServers,
  type NginxConfigValues,
} from "./nginx-config.js";
export { createSelfSignedCertificate, type CertificateFiles } from "./cert.js";
export { repoRoot } from "./repo.js";
export { startStack, newSigningKeys, type Stack, type StartStackOptions } from "./stack.js";
