export {
  StartupError,
  ConfigError,
  parseEnv,
  port,
  positiveInt,
  logLevel,
  trustProxy,
  serviceEnvShape,
  serviceConfig,
  type ServiceEnv,
  type ServiceConfig,
  type ServiceEnvDefaults,
  type LogLevel,
  type TrustProxy,
} from "./config.js";
export { createLogger, severityOf, type Logger, type LoggerOptions } from "./logger.js";
export { requestContext, type RequestContext } from "./context.js";
export { AppError, type AppErrorInit, type FieldError } from "./errors.js";
export { validate, valid, type RequestSchemas, type ValidInput } from "./validation.js";
export { rejectMongoOperators, findMongoOperatorKey } from "./mongo-operators.js";
export {
  createOpenApi,
  jsonResponse,
  problemResponse,
  type DocumentedApp,
  type OpenApi,
  type OpenApiDocument,
  type OpenApiOptions,
  type ResponseSpec,
  type RouteSpec,
  type Link,
  type LinkParameter,
} from "./openapi.js";
export { sanitizeRequestId, requestIdFrom, parseTraceContext, type TraceContext } from "./request-id.js";
export { createBaseApp, finishApp, type BaseAppOptions, type FinishAppOptions } from "./http.js";
export {
  Readiness,
  healthRoutes,
  type ReadinessCheck,
  type ReadinessOptions,
  type HealthRoutesOptions,
} from "./health.js";
export {
  createMetrics,
  type Metrics,
  type MetricsOptions,
  type MetricsServerOptions,
  type Registry,
} from "./metrics.js";
export { createMongoClient, mongoPing, isDuplicateKey, type MongoClientOptions } from "./mongo.js";
export {
  runHttpService,
  reportStartupFailure,
  type RunHttpServiceOptions,
  type RunningHttpService,
} from "./lifecycle.js";
export { retryInBackground, type BackgroundTask, type RetryOptions } from "./background-task.js";
export {
  startMongoService,
  type ServiceParts,
  type ServiceWiring,
  type StartMongoServiceOptions,
  type StartServiceOptions,
} from "./service.js";
export { packageVersion, VERSION_HEADER } from "./version.js";
export {
  ACCESS_TOKEN_TYPE,
  createJwksVerifier,
  createTokenVerifier,
  requireAuth,
  authOf,
  type AccessClaims,
  type TokenVerifier,
  type JwksVerifierOptions,
  type TokenVerifierOptions,
  type RequireAuthOptions,
} from "./auth.js";
