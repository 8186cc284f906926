import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi-document.js";

interface Operation {
  operationId?: string;
  responses: Record<string, { links?: Record<string, { operationId: string; parameters?: object }> }>;
}

const doc = openApiDocument() as unknown as { paths: Record<string, Record<string, Operation>> };
const operation = (path: string, method: string): Operation => doc.paths[path]![method]!;

describe("the jobs API's OpenAPI document, built offline", () => {
  it("when a job is created, then its links read, change and delete that job with the returned id and ETag", () => {
    const { links } = operation("/v1/jobs", "post").responses["201"]!;
    expect(links).toEqual({
      getJob: { operationId: "getJob", parameters: { "path.id": "$response.body#/id" } },
      updateJob: {
        operationId: "updateJob",
        parameters: { "path.id": "$response.body#/id", "header.if-match": "$response.header.ETag" },
      },
      deleteJob: {
        operationId: "deleteJob",
        parameters: { "path.id": "$response.body#/id", "header.if-match": "$response.header.ETag" },
      },
    });
  });

  it("when a job is read or updated, then the new ETag feeds a further update or delete", () => {
    for (const [path, method] of [
      ["/v1/jobs/{id}", "get"],
      ["/v1/jobs/{id}", "patch"],
    ] as const) {
      const { links } = operation(path, method).responses["200"]!;
      expect(links?.["updateJob"]?.parameters).toEqual({
        "path.id": "$response.body#/id",
        "header.if-match": "$response.header.ETag",
      });
      expect(links?.["deleteJob"]?.operationId).toBe("deleteJob");
    }
    const deleted = operation("/v1/jobs/{id}", "delete").responses["204"]!.links;
    expect(deleted?.["getJob"]?.parameters).toEqual({ "path.id": "$request.path.id" });
  });

  it("when drafts are documented, then reading, changing and deleting say that someone else's draft is a 404", () => {
    const described = (path: string, method: string) =>
      JSON.stringify(doc.paths[path]![method]!).toLowerCase();
    for (const method of ["get", "patch", "delete"]) {
      expect(described("/v1/jobs/{id}", method)).toMatch(/404[^}]*someone else's draft/);
    }
    expect(described("/v1/jobs", "get")).toContain("drafts appear only in their owner's listings");
  });
});
