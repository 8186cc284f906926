import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob, startTestService } from "./support/service.js";
import type { TestService } from "./support/service.js";

let api: TestService;

beforeAll(async () => {
  api = await startTestService("crud");
});
afterAll(async () => {
  await api.close();
});

const owner = { tokenOptions: { sub: "owner-1" } };
const stranger = { tokenOptions: { sub: "someone-else" } };

async function createJob(overrides: Record<string, unknown> = {}) {
  const reply = await api.request("POST", "/v1/jobs", { ...owner, json: buildJob(overrides) });
  expect(reply.status).toBe(201);
  return reply;
}

describe("creating and reading jobs", () => {
  it('when a job is created, then it answers 201 with Location, ETag "1" and the stored job', async () => {
    const reply = await createJob({ status: undefined });
    expect(reply.headers.get("location")).toBe(`/v1/jobs/${reply.body.id}`);
    expect(reply.headers.get("etag")).toBe('"1"');
    expect(reply.body).toMatchObject({
      title: "Site Reliability Engineer",
      company: "Acme",
      status: "draft",
      ownerId: "owner-1",
      version: 1,
      salary: { min: 60000, max: 80000, currency: "EUR" },
    });
    expect(reply.body.id).toMatch(/^[0-9a-f]{24}$/);
    expect(reply.body.createdAt).toBe(reply.body.updatedAt);
  });

  it("when a created job is read by anyone with jobs:read, then it is returned with its ETag", async () => {
    const created = await createJob();
    const reply = await api.request("GET", `/v1/jobs/${created.body.id}`, {
      tokenOptions: { sub: "reader", scope: "jobs:read" },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"1"');
    expect(reply.body).toEqual(created.body);
  });

  it("when a read sends If-None-Match with the current ETag, then it answers 304", async () => {
    const created = await createJob();
    const reply = await api.request("GET", `/v1/jobs/${created.body.id}`, {
      // fetch adds "Cache-Control: no-cache" to conditional requests unless told otherwise, which disables 304s.
      headers: { "if-none-match": '"1"', "cache-control": "max-age=0" },
    });
    expect(reply.status).toBe(304);
  });

  it("when the id is unknown, then it answers 404 problem", async () => {
    const reply = await api.request("GET", "/v1/jobs/665f1c2e8b3f4a0012345678");
    expect(reply.status).toBe(404);
    expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 404, title: "Not Found" });
  });

  it("when the id is not an ObjectId, then it answers 404 like an unknown id", async () => {
    for (const id of ["not-an-id", "123", "%24gt", "665f1c2e8b3f4a001234567Z"]) {
      expect((await api.request("GET", `/v1/jobs/${id}`)).status).toBe(404);
    }
  });
});

describe("updating jobs with If-Match", () => {
  it("when PATCH names the current version, then it applies, bumps the version and returns the new ETag", async () => {
    const created = await createJob();
    const reply = await api.request("PATCH", `/v1/jobs/${created.body.id}`, {
      ...owner,
      headers: { "if-match": '"1"' },
      json: { title: "Staff SRE", salary: null },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("etag")).toBe('"2"');
    expect(reply.body).toMatchObject({ title: "Staff SRE", version: 2, company: "Acme" });
    expect(reply.body).not.toHaveProperty("salary");
    expect(Date.parse(String(reply.body.updatedAt))).toBeGreaterThanOrEqual(
      Date.parse(String(created.body.createdAt)),
    );
  });

  it("when PATCH names an old version, then it answers 412 and the job is unchanged", async () => {
    const created = await createJob();
    const path = `/v1/jobs/${created.body.id}`;
    const first = await api.request("PATCH", path, {
      ...owner,
      headers: { "if-match": '"1"' },
      json: { title: "A" },
    });
    expect(first.status).toBe(200);
    const stale = await api.request("PATCH", path, {
      ...owner,
      headers: { "if-match": '"1"' },
      json: { title: "B" },
    });
    expect(stale.status).toBe(412);
    expect((await api.request("GET", path)).body).toMatchObject({ title: "A", version: 2 });
  });

  it("when two clients PATCH the same version at once, then exactly one succeeds and the other gets 412", async () => {
    const created = await createJob();
    const path = `/v1/jobs/${created.body.id}`;
    const replies = await Promise.all(
      ["A", "B"].map((title) =>
        api.request("PATCH", path, { ...owner, headers: { "if-match": '"1"' }, json: { title } }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it("when PATCH has no If-Match, then it answers 428", async () => {
    const created = await createJob();
    const reply = await api.request("PATCH", `/v1/jobs/${created.body.id}`, {
      ...owner,
      json: { title: "x" },
    });
    expect(reply.status).toBe(428);
  });

  it("when PATCH sends If-Match: *, then it answers 428 because a concrete version is required", async () => {
    const created = await createJob();
    const reply = await api.request("PATCH", `/v1/jobs/${created.body.id}`, {
      ...owner,
      headers: { "if-match": "*" },
      json: { title: "x" },
    });
    expect(reply.status).toBe(428);
  });

  it("when PATCH sends a malformed If-Match, then it answers 400", async () => {
    const created = await createJob();
    const reply = await api.request("PATCH", `/v1/jobs/${created.body.id}`, {
      ...owner,
      headers: { "if-match": "1" },
      json: { title: "x" },
    });
    expect(reply.status).toBe(400);
  });

  it("when someone other than the owner PATCHes, then it answers 403 even with the right version", async () => {
    const created = await createJob();
    const reply = await api.request("PATCH", `/v1/jobs/${created.body.id}`, {
      ...stranger,
      headers: { "if-match": '"1"' },
      json: { title: "mine now" },
    });
    expect(reply.status).toBe(403);
  });

  it("when PATCH targets an unknown job, then it answers 404", async () => {
    const reply = await api.request("PATCH", "/v1/jobs/665f1c2e8b3f4a0012345678", {
      headers: { "if-match": '"1"' },
      json: { title: "x" },
    });
    expect(reply.status).toBe(404);
  });
});

describe("deleting jobs", () => {
  it("when the owner deletes a job, then it answers 204 and the job is gone", async () => {
    const created = await createJob();
    const path = `/v1/jobs/${created.body.id}`;
    const reply = await api.request("DELETE", path, owner);
    expect(reply.status).toBe(204);
    expect((await api.request("GET", path)).status).toBe(404);
    expect((await api.request("DELETE", path, owner)).status).toBe(404);
  });

  it("when someone else deletes a job, then it answers 403 and the job stays", async () => {
    const created = await createJob();
    const path = `/v1/jobs/${created.body.id}`;
    expect((await api.request("DELETE", path, stranger)).status).toBe(403);
    expect((await api.request("GET", path)).status).toBe(200);
  });

  it("when a delete carries a stale If-Match, then it answers 412 and the job stays", async () => {
    const created = await createJob();
    const path = `/v1/jobs/${created.body.id}`;
    expect((await api.request("DELETE", path, { ...owner, headers: { "if-match": '"7"' } })).status).toBe(
      412,
    );
    expect((await api.request("DELETE", path, { ...owner, headers: { "if-match": '"1"' } })).status).toBe(
      204,
    );
  });
});
