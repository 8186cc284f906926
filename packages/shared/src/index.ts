export {
  StartupError,
  ConfigError,
  parseEnv,
  port,
  durationMs,
  positiveInt,
  bool,
  logLevel,
  trustProxy,
  serviceEnvShape,
  serviceConfig,
  type ServiceEnv,
  type ServiceConfig,
  type ServiceEnvDefaults,
  LOG_LEVELS,
  type LogLevel,
  type TrustProxy,
} from "./config.js";
export { createLogger, severityOf, type Logger, type LoggerOptions } from "./logger.js";
export { requestContext, type RequestContext } from "./context.js";
export { AppError, type AppErrorInit, type FieldError } from "./errors.js";
export {
  problemHandler,
  notFoundHandler,
  toAppError,
  problemDocument,
  fieldErrors,
  PROBLEM_CONTENT_TYPE,
  type ProblemDocument,
  type ProblemHandlerOptions,
} from "./problem.js";
export { validate, valid, type RequestSchemas, type ValidInput } from "./validation.js";
export { rejectMongoOperators, findMongoOperatorKey } from "./mongo-operators.js";
export {
  createOpenApi,
  expressPath,
  jsonResponse,
  problemResponse,
  ProblemSchema,
  BEARER_SCHEME,
  type OpenApi,
  type OpenApiDocument,
  type OpenApiOptions,
  type ResponseConfig,
  type RouteSpec,
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
  startMetricsServer,
  routeLabel,
  type Metrics,
  type MetricsOptions,
  type MetricsServerOptions,
  type Registry,
} from "./metrics.js";
export { createMongoClient, mongoPing, isDuplicateKey, type MongoClientOptions } from "./mongo.js";
export {
  runHttpService,
  reportStartupFailure,
  KEEP_ALIVE_TIMEOUT_MS,
  type RunHttpServiceOptions,
  type RunningHttpService,
} from "./lifecycle.js";
export { retryInBackground, type BackgroundTask, type RetryOptions } from "./background-task.js";
export { packageVersion, VERSION_HEADER } from "./version.js";
export {
  createJwksVerifier,
  createTokenVerifier,
  requireAuth,
  authOf,
  bearerToken,
  type AccessClaims,
  type TokenVerifier,
  type JwksVerifierOptions,
  type TokenVerifierOptions,
  type RequireAuthOptions,
} from "./auth.js";
