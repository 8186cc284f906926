import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createOpenApi, jsonResponse } from "./openapi.js";
import type { Link } from "./openapi-links.js";

const Thing = z.strictObject({ id: z.string(), name: z.string() }).meta({ id: "Thing" });

/** A small API: create a thing (201 with an ETag), read it, rename it with If-Match; `link` is create's link. */
function documentWith(link: Link): unknown {
  const openapi = createOpenApi({ title: "things", version: "1.0.0" });
  openapi.registerRoute({
    method: "post",
    path: "/things",
    operationId: "createThing",
    summary: "Create",
    request: { body: z.strictObject({ name: z.string() }) },
    responses: {
      201: {
        ...jsonResponse("Created", Thing),
        headers: { ETag: { description: "Version", schema: { type: "string" } } },
        links: { next: link },
      },
    },
  });
  openapi.registerRoute({
    method: "patch",
    path: "/things/{id}",
    operationId: "renameThing",
    summary: "Rename",
    request: {
      params: z.strictObject({ id: z.string() }),
      headers: z.object({ "if-match": z.string().optional() }),
      body: z.strictObject({ name: z.string() }),
    },
    responses: { 200: jsonResponse("Renamed", Thing) },
  });
  return openapi.document();
}

const rename: Link = {
  operationId: "renameThing",
  parameters: { "path.id": "$response.body#/id", "header.If-Match": "$response.header.etag" },
  requestBody: { name: "renamed {$request.body#/name}" },
};

describe("OpenAPI links", () => {
  it("when a link names a real operation, its parameters, a documented header and body fields, then the document carries it", () => {
    const doc = documentWith(rename) as {
      paths: Record<string, Record<string, { responses: Record<string, { links?: unknown }> }>>;
    };
    expect(doc.paths["/things"]!["post"]!.responses["201"]!.links).toEqual({ next: rename });
  });

  it.each<[string, Link, string]>([
    ["an unknown operation", { operationId: "deleteThing" }, "no operation has the id deleteThing"],
    [
      "a parameter the target lacks",
      { operationId: "renameThing", parameters: { "query.id": "$response.body#/id" } },
      "renameThing has no query parameter id",
    ],
    [
      "a response header that is not documented",
      { operationId: "renameThing", parameters: { "path.id": "$response.header.Location" } },
      "$response.header.Location names nothing the response documents",
    ],
    [
      "a response body field that does not exist",
      { operationId: "renameThing", parameters: { "path.id": "$response.body#/uuid" } },
      "$response.body#/uuid is not in the response body",
    ],
    [
      "a request parameter the source lacks",
      { operationId: "renameThing", parameters: { "path.id": "$request.path.id" } },
      "$request.path.id names nothing the request documents",
    ],
    [
      "a body field the target does not take",
      { operationId: "renameThing", requestBody: { title: "$request.body#/name" } },
      "renameThing's body has no field title",
    ],
  ])("when a link names %s, then building the document fails and says which link", (_case, link, problem) => {
    expect(() => documentWith(link)).toThrow(`POST /things 201 link next: ${problem}`);
  });
});
