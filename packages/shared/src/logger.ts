import { pino } from "pino";
import type { Logger } from "pino";
import type { LogLevel } from "./config.js";
import { requestContext } from "./context.js";

export type { Logger } from "pino";

export interface LoggerOptions {
  readonly service: string;
  readonly level: LogLevel;
  readonly version?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read lines back. */
  readonly destination?: pino.DestinationStream;
  /** Google Cloud project id; when set, trace ids are written in the form Cloud Logging links to traces. */
  readonly gcpProjectId?: string;
}

/** pino level names mapped to Cloud Logging's LogSeverity, which is what the log explorer filters on. */
const SEVERITY: Record<string, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

export function severityOf(level: string): string {
  return SEVERITY[level] ?? "DEFAULT";
}

/**
 * A pino logger whose lines Cloud Logging understands without an agent-side parser: `severity`, `message`, ISO
 * `time`, and the current request's `requestId` (plus the trace field when a project id is given).
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      messageKey: "message",
      base: {
        service: options.service,
        ...(options.version === undefined ? {} : { version: options.version }),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ severity: severityOf(label) }),
      },
      mixin: () => {
        const ctx = requestContext.getStore();
        if (!ctx) return {};
        const fields: Record<string, string> = { requestId: ctx.requestId };
        if (ctx.traceId !== undefined) {
          fields["traceId"] = ctx.traceId;
          if (options.gcpProjectId !== undefined) {
            fields["logging.googleapis.com/trace"] = `projects/${options.gcpProjectId}/traces/${ctx.traceId}`;
          }
        }
        if (ctx.spanId !== undefined) fields["logging.googleapis.com/spanId"] = ctx.spanId;
        return fields;
      },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
