import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob, startTestService } from "./support/service.js";
import type { Reply, TestService } from "./support/service.js";

let api: TestService;
let jobPath: string;

beforeAll(async () => {
  api = await startTestService("badinput");
  const created = await api.request("POST", "/v1/jobs", { json: buildJob() });
  jobPath = `/v1/jobs/${created.body.id}`;
});
afterAll(async () => {
  await api.close();
});

function expectProblem(reply: Reply, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ status });
}

describe("bad input is a 4xx problem, never a 5xx", () => {
  it.each([
    ["an unknown field", buildJob({ admin: true })],
    ["an operator object as a value", buildJob({ title: { $gt: "" } })],
    ["an operator key at the top level", { ...buildJob(), $where: "1" }],
    ["an operator key nested in salary", buildJob({ salary: { min: 1, max: 2, currency: "EUR", $gt: 0 } })],
    ["a salary with min above max", buildJob({ salary: { min: 9, max: 1, currency: "EUR" } })],
    ["a salary in an unknown currency format", buildJob({ salary: { min: 1, max: 2, currency: "euro" } })],
    ["a negative salary", buildJob({ salary: { min: -1, max: 2, currency: "EUR" } })],
    ["an unknown status", buildJob({ status: "archived" })],
    ["a title over 200 characters", buildJob({ title: "x".repeat(201) })],
    ["a blank title", buildJob({ title: "   " })],
    ["a missing company", buildJob({ company: undefined })],
    // PostgreSQL-backed servers cannot store U+0000 (SQLSTATE 22P05): found as a 500 through FerretDB on PostgreSQL.
    ["a NUL character in the company", buildJob({ company: "Acme\u0000" })],
    ["a NUL character in the description", buildJob({ description: "a\u0000b" })],
    ["an array instead of an object", [buildJob()]],
    ["a JSON string", "just text"],
    ["null", null],
  ])("when POST /v1/jobs has %s, then it answers 400", async (_what, json) => {
    expectProblem(await api.request("POST", "/v1/jobs", { json }), 400);
  });

  it("when a validation fails, then the problem lists the offending field", async () => {
    const reply = await api.request("POST", "/v1/jobs", { json: buildJob({ title: 5 }) });
    expect(reply.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "body.title" })]),
    );
  });

  it.each([
    ["an unknown field", { version: 99 }],
    ["an operator as a value", { status: { $ne: "draft" } }],
    ["an operator as a key", { $set: { ownerId: "me" } }],
    ["nothing to change", {}],
    ["a NUL character in the title", { title: "x\u0000" }],
    ["an attempt to change the owner", { ownerId: "thief" }],
  ])("when PATCH has %s, then it answers 400", async (_what, json) => {
    expectProblem(await api.request("PATCH", jobPath, { headers: { "if-match": '"1"' }, json }), 400);
  });

  it.each([
    ["limit=1000", "limit=1000"],
    ["limit=0", "limit=0"],
    ["limit=abc", "limit=abc"],
    ["an operator in brackets", "company[$gt]="],
    ["an operator in the status value", "status=%7B%22%24gt%22%3A%22%22%7D"],
    ["a repeated parameter", "status=open&status=closed"],
    ["an unknown parameter", "sort=title"],
    ["an over-long company", `company=${"x".repeat(300)}`],
    ["a NUL character in the location filter", "location=Berlin%00"],
  ])("when the listing query has %s, then it answers 400", async (_what, query) => {
    expectProblem(await api.request("GET", `/v1/jobs?${query}`), 400);
  });

  it('when a company filter is the text {"$gt":""}, then it is an exact match on that text, not an operator', async () => {
    const reply = await api.request("GET", `/v1/jobs?company=${encodeURIComponent('{"$gt":""}')}`);
    expect(reply.status).toBe(200);
    expect(reply.body.items).toEqual([]);
  });

  it("when the body is malformed JSON, then it answers 400", async () => {
    expectProblem(await api.request("POST", "/v1/jobs", { rawBody: '{"title": "x",' }), 400);
  });

  it("when the body is larger than BODY_LIMIT, then it answers 413", async () => {
    const huge = JSON.stringify(buildJob({ description: "x".repeat(200_000) }));
    expectProblem(await api.request("POST", "/v1/jobs", { rawBody: huge }), 413);
  });

  it("when the body is not JSON, then it answers 415", async () => {
    const reply = await api.request("POST", "/v1/jobs", {
      rawBody: "title=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(reply, 415);
  });

  it("when the path has a malformed id or percent-encoding, then it answers 4xx", async () => {
    for (const path of ["/v1/jobs/%E0%A4%A", "/v1/jobs/%24where", `/v1/jobs/${"a".repeat(500)}`]) {
      const reply = await api.request("GET", path);
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
    }
  });

  it("when a route does not exist, then it answers 404 problem", async () => {
    expectProblem(await api.request("GET", "/v1/nothing"), 404);
  });
});
