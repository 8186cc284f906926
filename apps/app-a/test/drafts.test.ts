import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob, startTestService } from "./support/service.js";
import type { TestService } from "./support/service.js";

let api: TestService;

beforeAll(async () => {
  api = await startTestService("drafts");
});
afterAll(async () => {
  await api.close();
});

const as = (sub: string) => ({ tokenOptions: { sub } });

/** A job created by `owner`; a fresh company name lets listings be filtered down to this test's jobs. */
async function create(owner: string, status: "draft" | "open", company = `Co ${randomUUID()}`) {
  const reply = await api.request("POST", "/v1/jobs", { ...as(owner), json: buildJob({ status, company }) });
  expect(reply.status).toBe(201);
  return { id: reply.body.id as string, company };
}

async function listedIds(sub: string, query: string): Promise<string[]> {
  const reply = await api.request("GET", `/v1/jobs?${query}`, as(sub));
  expect(reply.status).toBe(200);
  return (reply.body.items as { id: string }[]).map((item) => item.id);
}

describe("draft jobs are their owner's alone", () => {
  it("when another user reads someone's draft, then 404, as for a job that does not exist", async () => {
    const draft = await create("alice", "draft");
    expect((await api.request("GET", `/v1/jobs/${draft.id}`, as("alice"))).status).toBe(200);
    const other = await api.request("GET", `/v1/jobs/${draft.id}`, as("bob"));
    expect(other.status).toBe(404);
    expect(other.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("when another user lists jobs, then someone's drafts are absent, whatever the filters", async () => {
    const draft = await create("alice", "draft");
    const open = await create("alice", "open", draft.company);
    const company = `company=${encodeURIComponent(draft.company)}`;
    expect(await listedIds("alice", company)).toEqual([open.id, draft.id]);
    for (const query of [company, `${company}&status=draft`, `${company}&ownerId=alice`]) {
      expect(await listedIds("bob", query), query).not.toContain(draft.id);
    }
    expect(await listedIds("bob", company)).toEqual([open.id]);
    expect(await listedIds("alice", `${company}&ownerId=me&status=draft`)).toEqual([draft.id]);
  });

  it("when another user tries to change or delete someone's draft, then 404, not 403", async () => {
    const draft = await create("alice", "draft");
    const patch = await api.request("PATCH", `/v1/jobs/${draft.id}`, {
      ...as("bob"),
      headers: { "if-match": '"1"' },
      json: { title: "mine now" },
    });
    expect(patch.status).toBe(404);
    expect((await api.request("DELETE", `/v1/jobs/${draft.id}`, as("bob"))).status).toBe(404);
    expect((await api.request("GET", `/v1/jobs/${draft.id}`, as("alice"))).body.title).not.toBe("mine now");
  });

  it("when the owner publishes a draft, then every authenticated user reads and lists it", async () => {
    const draft = await create("alice", "draft");
    const published = await api.request("PATCH", `/v1/jobs/${draft.id}`, {
      ...as("alice"),
      headers: { "if-match": '"1"' },
      json: { status: "open" },
    });
    expect(published.status).toBe(200);
    expect((await api.request("GET", `/v1/jobs/${draft.id}`, as("bob"))).status).toBe(200);
    expect(await listedIds("bob", `company=${encodeURIComponent(draft.company)}`)).toEqual([draft.id]);
    // Someone else's published job is still not theirs to change.
    const patch = await api.request("PATCH", `/v1/jobs/${draft.id}`, {
      ...as("bob"),
      headers: { "if-match": '"2"' },
      json: { title: "mine now" },
    });
    expect(patch.status).toBe(403);
  });
});
