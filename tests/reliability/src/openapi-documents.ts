/**
 * Each service's OpenAPI document as a file, for Schemathesis runs through a base URL that does not route
 * /openapi.json (the Gateway, devkit's ingress). The apps build them offline from their own route registrations.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openApiDocument as jobsDocument } from "app-a/openapi-document";
import { openApiDocument as authDocument } from "app-b/openapi-document";

export type ServiceName = "app-a" | "app-b";

/** Writes `app-a.openapi.json` and `app-b.openapi.json` into `dir`; returns their paths. */
export async function writeOpenApiDocuments(dir: string): Promise<Record<ServiceName, string>> {
  const files = { "app-a": join(dir, "app-a.openapi.json"), "app-b": join(dir, "app-b.openapi.json") };
  writeFileSync(files["app-a"], JSON.stringify(jobsDocument(), null, 2));
  writeFileSync(files["app-b"], JSON.stringify(await authDocument(), null, 2));
  return files;
}
