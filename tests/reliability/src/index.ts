export {
  ALL_PHASES,
  DEFAULT_CHECKS,
  GATEWAY_PATHS,
  findSchemathesis,
  runSchemathesis,
  schemathesisArgs,
  schemathesisConfig,
} from "./schemathesis.js";
export type { Phase, SchemathesisOptions, SchemathesisRun } from "./schemathesis.js";
export { linkedCases, ReportSummary, summarizeEvents } from "./schemathesis-report.js";
export type { Cases, Finding, FuzzSummary, OperationCases } from "./schemathesis-report.js";
export { writeOpenApiDocuments } from "./openapi-documents.js";
export type { ServiceName } from "./openapi-documents.js";
