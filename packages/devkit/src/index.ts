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
export {
  startAppProcess,
  type AppName,
  type AppProcess,
  type StartAppProcessOptions,
} from "./app-process.js";
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
export { parseListeningLine, LISTENING_MESSAGE, type ListeningLine } from "./listening-line.js";
export {
  startStack,
  startOrder,
  serviceEnv,
  type Stack,
  type StartStackOptions,
  type ServiceEnvContext,
} from "./stack.js";
export { routeTable, upstreamName } from "./generate/nginx-routes.js";
export { newSigningKey, signingKeysEnv, type SigningKey } from "./signing-keys.js";
export { buildJob, type JobInput } from "./job-factory.js";
