/**
 * The service catalogue (`services.json`): which services exist and what the platform needs to know about each.
 * Read and checked once at import; a bad entry throws with the entry and field named, so a typo in the catalogue
 * fails the build, the tests and `pulumi preview` alike.
 */
import catalogueJson from "./services.json" with { type: "json" };

/** Who may mint and who must check access tokens. */
export type TokenRole = "issuer" | "verifier" | "none";

/** What the service's HPA scales on: CPU alone, or the request rate per pod with CPU as the second metric. */
export type AutoscalingMetric = "cpu" | "requests";

/** Default requests and limits of the service's container; stack config overrides them. */
export interface ServiceResources {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

export interface ServiceEntry {
  /** DNS-label name: the Deployment, Service, image repository, database user and release tag prefix. */
  readonly name: string;
  /** The workspace package directory (`apps/<name>` by convention). */
  readonly package: string;
  readonly port: number;
  readonly metricsPort: number;
  /** Its own MongoDB database (MONGODB_DB); no other service's user may read it. */
  readonly database: string;
  /** Path prefixes the Gateway sends to it; [] = reachable only inside the cluster. */
  readonly routes: readonly string[];
  readonly tokens: TokenRole;
  /** Services it calls: egress from it and ingress to them are allowed, nothing else. */
  readonly calls: readonly string[];
  readonly autoscaling: AutoscalingMetric;
  /**
   * Requests per second one pod serves at the latency objective, measured by bench/pod-capacity.sh
   * (docs/benchmarks.md): the request-rate target, GKE's max-rate-per-endpoint and the capacity model read it
   * here. Required with `"autoscaling": "requests"`.
   */
  readonly requestsPerSecondPerPod?: number;
  /** The deploy smoke test checks it through the Gateway: `smokePath` answers 200 with its X-App-Version. */
  readonly smokeTest: boolean;
  /**
   * A GET the smoke test sends (with a user's access token) to reach this service through the Gateway: under one
   * of its `routes`, answering 200. Required with `"smokeTest": true`.
   */
  readonly smokePath?: string;
  readonly resources: ServiceResources;
  /**
   * The prefix of this service's stack config keys before the catalogue (`appA` for `appAImage`): still read, with
   * a warning, until a stack is migrated (infra/README.md, "Per-service config").
   */
  readonly legacyConfigPrefix?: string;
}

const NAME = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;
const PREFIX = /^\/[A-Za-z0-9._~/-]*$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/;

/** Checks a parsed catalogue document and returns its entries; throws listing every problem. */
export function parseCatalogue(doc: unknown): ServiceEntry[] {
  const problems: string[] = [];
  const services = (doc as { services?: unknown } | null)?.services;
  if (!Array.isArray(services) || services.length === 0)
    throw new Error("services.json: `services` must be a non-empty array");
  const entries: ServiceEntry[] = [];
  for (const [i, raw] of (services as unknown[]).entries()) {
    const e = raw as Record<string, unknown>;
    const at = `services[${i}]${typeof e.name === "string" ? ` (${e.name})` : ""}`;
    const bad = (field: string, what: string) => problems.push(`${at}.${field}: expected ${what}`);
    if (typeof e.name !== "string" || !NAME.test(e.name)) bad("name", "a DNS label of at most 40 characters");
    if (typeof e.package !== "string" || e.package === "") bad("package", "a workspace directory");
    for (const field of ["port", "metricsPort"] as const) {
      const v = e[field];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1024 || v > 65_535)
        bad(field, "a port 1024-65535");
    }
    if (typeof e.database !== "string" || !/^[A-Za-z0-9_-]{1,63}$/.test(e.database))
      bad("database", "a database name");
    if (!Array.isArray(e.routes) || !e.routes.every((r) => typeof r === "string" && PREFIX.test(r)))
      bad("routes", "an array of path prefixes such as /v1/things");
    if (!["issuer", "verifier", "none"].includes(e.tokens as string))
      bad("tokens", "issuer, verifier or none");
    if (!Array.isArray(e.calls) || !e.calls.every((c) => typeof c === "string"))
      bad("calls", "an array of service names");
    if (!["cpu", "requests"].includes(e.autoscaling as string)) bad("autoscaling", "cpu or requests");
    const rate = e.requestsPerSecondPerPod;
    if (rate !== undefined && (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1))
      bad("requestsPerSecondPerPod", "a positive whole number");
    if (e.autoscaling === "requests" && rate === undefined)
      bad("requestsPerSecondPerPod", "the measured per-pod rate when autoscaling is requests");
    if (typeof e.smokeTest !== "boolean") bad("smokeTest", "true or false");
    const smokePath = e.smokePath;
    if (smokePath !== undefined || e.smokeTest === true) {
      const routes = Array.isArray(e.routes)
        ? (e.routes as unknown[]).filter((r) => typeof r === "string")
        : [];
      const under = (path: string) =>
        routes.some((r) => path === r || path.startsWith(`${r}/`) || path.startsWith(`${r}?`));
      if (typeof smokePath !== "string" || (!under(smokePath.split("?")[0] ?? "") && !under(smokePath)))
        bad("smokePath", "a GET path under one of its routes (required with smokeTest)");
    }
    const r = e.resources as Record<string, unknown> | undefined;
    for (const field of ["cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"])
      if (typeof r?.[field] !== "string" || !QUANTITY.test(r[field]))
        bad(`resources.${field}`, "a Kubernetes quantity");
    if (
      e.legacyConfigPrefix !== undefined &&
      (typeof e.legacyConfigPrefix !== "string" || !/^[a-z][A-Za-z0-9]*$/.test(e.legacyConfigPrefix))
    )
      bad("legacyConfigPrefix", "a camelCase key prefix");
    entries.push(e as unknown as ServiceEntry);
  }
  if (problems.length === 0) problems.push(...crossChecks(entries));
  if (problems.length > 0) throw new Error(`services.json:\n  - ${problems.join("\n  - ")}`);
  return entries;
}

/** What no single entry shows: duplicates, unknown callees, the one token issuer, overlapping routes. */
function crossChecks(entries: readonly ServiceEntry[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const seen = (what: string, values: Iterable<string | number>, set = new Set<string | number>()) => {
    for (const v of values) {
      if (set.has(v)) problems.push(`${what} ${v} is used twice`);
      set.add(v);
    }
  };
  seen(
    "name",
    entries.map((e) => e.name),
    names,
  );
  seen(
    "port",
    entries.flatMap((e) => [e.port, e.metricsPort]),
  );
  seen(
    "database",
    entries.map((e) => e.database),
  );
  seen(
    "route",
    entries.flatMap((e) => e.routes),
  );
  seen(
    "package",
    entries.map((e) => e.package),
  );
  for (const e of entries) {
    for (const callee of e.calls) {
      if (!names.has(callee)) problems.push(`${e.name}.calls: unknown service ${callee}`);
      if (callee === e.name)
        problems.push(`${e.name}.calls: a service does not call itself over the network`);
    }
  }
  const issuers = entries.filter((e) => e.tokens === "issuer");
  if (entries.some((e) => e.tokens === "verifier") && issuers.length !== 1)
    problems.push(`tokens: verifiers need exactly one issuer, found ${issuers.length}`);
  for (const e of entries.filter((v) => v.tokens === "verifier"))
    if (issuers[0] && !e.calls.includes(issuers[0].name))
      problems.push(
        `${e.name}.calls: a verifier fetches the issuer's keys, so it must call ${issuers[0].name}`,
      );
  return problems;
}

/** Every service, in catalogue order. */
export const SERVICES: readonly ServiceEntry[] = Object.freeze(parseCatalogue(catalogueJson));

/** The entry of one service; throws naming the known services for an unknown name. */
export function serviceEntry(name: string): ServiceEntry {
  const entry = SERVICES.find((s) => s.name === name);
  if (entry === undefined)
    throw new Error(`unknown service "${name}"; services.json has ${SERVICES.map((s) => s.name).join(", ")}`);
  return entry;
}

/** The service that issues access tokens, if the catalogue has one. */
export function tokenIssuer(): ServiceEntry | undefined {
  return SERVICES.find((s) => s.tokens === "issuer");
}

/** The services that call `name` (its allowed ingress peers inside the cluster). */
export function callersOf(name: string): ServiceEntry[] {
  return SERVICES.filter((s) => s.calls.includes(name));
}
