/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests and resource inputs are untyped JSON; the assertions are what check their shape */
/**
 * JSON-schema validators built from the upstream CRDs' openAPIV3Schema. Kubernetes prunes unknown fields; we turn
 * that into an error (additionalProperties: false) except where the schema says x-kubernetes-preserve-unknown-fields.
 * CEL rules (x-kubernetes-validations) are not evaluated here.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

import { crdDir } from "./rendered.js";

type Schema = Record<string, unknown>;

function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== "object" || schema === null) return schema;
  // Value-carrying keywords are data, and oneOf/anyOf/allOf/not branches in structural schemas only constrain
  // fields the main schema already declares (they never prune), so neither is closed.
  const untouched = new Set(["enum", "default", "example", "oneOf", "anyOf", "allOf", "not"]);
  const s = Object.fromEntries(
    Object.entries(schema as Schema).map(([k, v]) => [k, untouched.has(k) ? v : closeObjects(v)]),
  );
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (s.properties && s.additionalProperties === undefined && !preserve) s.additionalProperties = false;
  return s;
}

export interface CrdValidators {
  /** `group/version Kind` -> validator */
  get(apiVersion: string, kind: string): ValidateFunction | undefined;
  keys(): string[];
}

export function loadCrdValidators(): CrdValidators {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const map = new Map<string, ValidateFunction>();
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith(".yaml"))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(crdDir, file), "utf8"))) {
      const crd = doc.toJS() as { kind?: string; spec?: any } | null;
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const version of crd.spec.versions as { name: string; schema: { openAPIV3Schema: Schema } }[]) {
        const key = `${crd.spec.group as string}/${version.name} ${crd.spec.names.kind as string}`;
        map.set(key, ajv.compile(closeObjects(version.schema.openAPIV3Schema) as Schema));
      }
    }
  }
  return { get: (apiVersion, kind) => map.get(`${apiVersion} ${kind}`), keys: () => [...map.keys()] };
}
