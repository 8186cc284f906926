/**
 * Runs the platform program under Pulumi's official mocks and records every resource it registers. Mocked
 * provider outputs are plausible, deterministic, and every mocked secret contains {@link MOCK_SECRET_MARKER}, so
 * a test can prove no secret value leaks into rendered files.
 */
import { createHash, createPrivateKey } from "node:crypto";

import * as pulumi from "@pulumi/pulumi";

/** Substring of every secret value the mocks generate. */
export const MOCK_SECRET_MARKER = "MOCKSECRET";
/** What secret values are replaced with in rendered output. */
export const REDACTED = "[secret]";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One registered resource as the engine would receive it. */
export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  /** Provider reference (`urn::id`) when one was set or inherited explicitly. */
  provider: string | undefined;
  /** Inputs with Pulumi secret wrappers kept (see {@link redact} / {@link reveal}). */
  inputs: Record<string, unknown>;
  /** The resource options the program passed (what the engine would act on; mocks do not see them). */
  options: RecordedOptions;
}

/** The options of a registration that change what the engine does, as the program set them. */
export interface RecordedOptions {
  /** Names of the resources (or components) it explicitly depends on. */
  dependsOn: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  customTimeouts?: pulumi.CustomTimeouts;
  ignoreChanges?: string[];
}

function isSecretWrapper(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

function mapSecrets(value: unknown, onSecret: (inner: unknown) => unknown): unknown {
  if (isSecretWrapper(value)) return onSecret(value.value);
  if (Array.isArray(value)) return value.map((v) => mapSecrets(v, onSecret));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, onSecret)]));
  }
  return value;
}

/** Replaces every secret (and anything derived from one) with {@link REDACTED}, keeping the shape of strings. */
export function redact(value: unknown): unknown {
  return mapSecrets(value, redactLeaves);
}

function redactLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  }
  return REDACTED;
}

/** Unwraps secrets (for assertions in tests only; never written to disk). */
export function reveal(value: unknown): unknown {
  return mapSecrets(value, (inner) => reveal(inner));
}

/** A deterministic mock secret string carrying the marker. */
export const mockSecret = (label: string) =>
  `${MOCK_SECRET_MARKER}-${createHash("sha256").update(label).digest("hex").slice(0, 24)}`;
const secret = mockSecret;

/**
 * A real Ed25519 PKCS#8 PEM derived from `label` (deterministic, so renders stay diffable): the platform layer
 * parses the JWT key to compute its kid. It carries no marker; tests look for the PEM header instead.
 */
export function mockEd25519Pem(label: string): string {
  const seed = createHash("sha256").update(label).digest();
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
    .export({ format: "pem", type: "pkcs8" })
    .toString();
}

/** The project number `gcp.organizations.getProject` returns under mocks. */
export const MOCK_PROJECT_NUMBER = "123456789012";

/** Provider-computed outputs the program reads, per resource type. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const resourceName = typeof inputs.name === "string" ? inputs.name : name;
  const base = { name: resourceName };
  switch (type) {
    case "gcp:container/cluster:Cluster":
      return {
        ...base,
        endpoint: "203.0.113.10",
        masterAuth: { clusterCaCertificate: Buffer.from("mock-cluster-ca").toString("base64") },
        privateClusterConfig: { ...(inputs.privateClusterConfig as object), privateEndpoint: "172.16.0.2" },
        controlPlaneEndpointsConfig: {
          dnsEndpointConfig: {
            allowExternalTraffic: true,
            endpoint: `gke-${name}-mock.europe-west1.gke.goog`,
          },
        },
      };
    case "gcp:serviceaccount/account:Account": {
      const email = `${String(inputs.accountId)}@mock-project.iam.gserviceaccount.com`;
      return { ...base, email, name: `projects/mock-project/serviceAccounts/${email}` };
    }
    case "gcp:compute/globalAddress:GlobalAddress":
      return { ...base, address: "203.0.113.20" };
    case "gcp:certificatemanager/dnsAuthorization:DnsAuthorization":
      return {
        ...base,
        dnsResourceRecords: [
          {
            name: `_acme-challenge.${String(inputs.domain)}.`,
            type: "CNAME",
            data: "mock.authorize.certificatemanager.goog.",
          },
        ],
      };
    case "random:index/randomPassword:RandomPassword":
      return { result: pulumi.secret(secret(`password:${name}`)) };
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPemPkcs8: pulumi.secret(mockEd25519Pem(`key:${name}`)),
        privateKeyPem: pulumi.secret(mockEd25519Pem(`key:${name}`)),
        publicKeyPem: `-----BEGIN PUBLIC KEY-----\nmock-public-${name}\n-----END PUBLIC KEY-----\n`,
      };
    default:
      return base;
  }
}

/** Options for {@link runUnderMocks}. */
export interface MockRunOptions {
  project: string;
  stack: string;
  /** Fully-qualified config (`project:key` -> string value, as the CLI passes it). */
  config: Record<string, string>;
  secretKeys?: string[];
  /** Outputs of the stacks a StackReference may read, by stack name. */
  stackReferences?: Record<string, StackOutputs>;
}

/** A stack's outputs as the engine hands them to a StackReference. */
export interface StackOutputs {
  outputs: Record<string, unknown>;
  secretOutputNames: string[];
}

/** Result of a mocked run. */
export interface MockRun<T> {
  resources: RecordedResource[];
  result: T;
}

/**
 * Runs `program` inside a mocked Pulumi stack and waits until every resource registration has finished.
 * Errors thrown by the program (invalid config, ResourceError) reject the returned promise.
 */
export async function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockRunOptions,
): Promise<MockRun<T>> {
  const resources: RecordedResource[] = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const recordedOptions = new Map<string, RecordedOptions>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pulumi:pulumi:StackReference") {
          const ref = options.stackReferences?.[String(inputs.name)];
          if (!ref) throw new Error(`no mocked outputs for stack reference ${String(inputs.name)}`);
          return { id: String(inputs.name), state: { name: inputs.name, ...ref } };
        }
        resources.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          provider: args.provider || undefined,
          inputs,
          options: recordedOptions.get(`${args.type}::${args.name}`) ?? { dependsOn: [] },
        });
        const state = { ...inputs, ...computedState(args.type, args.name, inputs) };
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        // The cloud layer reads the project number to name Google's service agents.
        if (args.token === "gcp:organizations/getProject:getProject")
          return { ...(args.inputs as Record<string, unknown>), number: MOCK_PROJECT_NUMBER };
        return args.inputs as Record<string, unknown>;
      },
    },
    options.project,
    options.stack,
    false,
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
  let result: T | undefined;
  let failure: Error | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    // Records each registration's options (a client-side transformation sees them before they are sent).
    pulumi.runtime.registerStackTransformation(({ resource, type, name, opts }) => {
      names.set(resource, name);
      const deps = Array.isArray(opts.dependsOn) ? opts.dependsOn : opts.dependsOn ? [opts.dependsOn] : [];
      recordedOptions.set(`${type}::${name}`, {
        dependsOn: deps.map((d) => (d instanceof pulumi.Resource ? (names.get(d) ?? "?") : "?")),
        protect: opts.protect,
        retainOnDelete: opts.retainOnDelete,
        deleteBeforeReplace: (opts as pulumi.CustomResourceOptions).deleteBeforeReplace,
        customTimeouts: (opts as pulumi.CustomResourceOptions).customTimeouts,
        ignoreChanges: opts.ignoreChanges,
      });
      return undefined;
    });
    // A program error (invalid config, ResourceError) is re-thrown after the run, once, to the caller, instead
    // of also surfacing as the mocked stack's unhandled failure.
    try {
      result = await program();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    return {};
  });
  // Waits for every outstanding registration; the mock monitor is re-created by the next setMocks.
  await pulumi.runtime.disconnect();
  if (failure !== undefined) throw failure;
  return { resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), result: result as T };
}

/** Resolves a program's exported values (Outputs or plain) the way the engine records them as stack outputs. */
export async function resolveOutputs(exported: object): Promise<StackOutputs> {
  const outputs: Record<string, unknown> = {};
  const secretOutputNames: string[] = [];
  for (const [name, value] of Object.entries(exported)) {
    const out: pulumi.Output<unknown> = pulumi.output(value);
    outputs[name] = await new Promise((resolve) => {
      out.apply((v) => {
        resolve(v);
        return v;
      });
    });
    if (await pulumi.isSecret(out)) secretOutputNames.push(name);
  }
  return { outputs, secretOutputNames };
}
