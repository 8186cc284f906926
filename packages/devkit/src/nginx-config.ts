import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo.js";

/** Values for scripts/ingress/nginx.conf.template. */
export interface NginxConfigValues {
  prefix: string;
  httpsPort: number;
  httpPort: number;
  statusPort: number;
  certFile: string;
  keyFile: string;
  /**
   * host:port of each instance, per catalogue service; those in `down` are kept but marked down (failed health
   * check). A routed service without instances gets an always-down placeholder.
   */
  upstreams: Readonly<Record<string, readonly string[]>>;
  down?: ReadonlySet<string>;
  generation: number;
  workerProcesses?: number | "auto";
  accessLog?: boolean;
  clientMaxBodySize?: string;
  errorLogLevel?: "debug" | "info" | "notice" | "warn" | "error";
}

export const templatePath = (): string => join(repoRoot(), "scripts", "ingress", "nginx.conf.template");

/** Accepts `host:port`, `http://host:port` or `http://host:port/` and returns `host:port`. */
export function upstreamAddress(value: string): string {
  const trimmed = value.trim();
  if (/^https?:\/\//.test(trimmed)) return new URL(trimmed).host;
  if (!/^[\w.-]+:\d+$/.test(trimmed))
    throw new Error(`upstream must be host:port or an http URL, got "${value}"`);
  return trimmed;
}

/**
 * One `server` line per instance. A failed instance is marked `down` (like an endpoint that failed its health check);
 * an empty group gets a placeholder that is always down, because nginx refuses an upstream without servers.
 */
export function upstreamServers(servers: readonly string[], down: ReadonlySet<string> = new Set()): string {
  if (servers.length === 0) return "    server 127.0.0.1:1 down; # no instances";
  return servers
    .map((server) => `    server ${server} max_fails=1 fail_timeout=2s${down.has(server) ? " down" : ""};`)
    .join("\n");
}

/**
 * Fills the template (`{{servers:<service>}}` with that service's instances); throws if a placeholder is left, so
 * template and code cannot drift apart silently.
 */
export function renderNginxConfig(
  values: NginxConfigValues,
  template = readFileSync(templatePath(), "utf8"),
): string {
  const fields: Record<string, string> = {
    prefix: values.prefix,
    httpsPort: String(values.httpsPort),
    httpPort: String(values.httpPort),
    statusPort: String(values.statusPort),
    certFile: values.certFile,
    keyFile: values.keyFile,
    generation: String(values.generation),
    workerProcesses: String(values.workerProcesses ?? 1),
    accessLog: values.accessLog === false ? "off" : `${values.prefix}/access.log ingress buffer=16k flush=1s`,
    clientMaxBodySize: values.clientMaxBodySize ?? "1m",
    errorLogLevel: values.errorLogLevel ?? "warn",
  };
  return template.replace(/\{\{([\w:-]+)\}\}/g, (match, name: string) => {
    const service = /^servers:(.+)$/.exec(name)?.[1];
    const value =
      service === undefined ? fields[name] : upstreamServers(values.upstreams[service] ?? [], values.down);
    if (value === undefined) throw new Error(`nginx template placeholder ${match} has no value`);
    return value;
  });
}
