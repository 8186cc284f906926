import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildJob, startTestService } from "./support/service.js";
import type { TestService } from "./support/service.js";

let api: TestService;

beforeAll(async () => {
  api = await startTestService("list");
});
afterAll(async () => {
  await api.close();
});

async function create(overrides: Record<string, unknown>, sub = "lister"): Promise<string> {
  const reply = await api.request("POST", "/v1/jobs", { tokenOptions: { sub }, json: buildJob(overrides) });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

function idsOf(page: unknown): string[] {
  return (page as { items: { id: string }[] }).items.map((item) => item.id);
}

/** Follows nextCursor from the first page to the last, returning every id in order. */
async function collectAll(query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? "" : `&cursor=${cursor}`;
    const reply = await api.request("GET", `/v1/jobs?${query}${suffix}`);
    expect(reply.status).toBe(200);
    ids.push(...idsOf(reply.body));
    cursor = reply.body.nextCursor as string | null;
    pages++;
  } while (cursor !== null && pages < 50);
  return { ids, pages };
}

describe("listing jobs", () => {
  it("when jobs span several pages, then following nextCursor returns each exactly once, newest first", async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push(await create({ company: "PagesCo" }));
    const { ids, pages } = await collectAll("company=PagesCo&limit=3");
    expect(ids).toEqual([...created].reverse());
    expect(pages).toBe(3);
  });

  it("when the last page is exactly full, then its nextCursor is null only if nothing follows", async () => {
    for (let i = 0; i < 4; i++) await create({ company: "EvenCo" });
    const first = await api.request("GET", "/v1/jobs?company=EvenCo&limit=2");
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.request(
      "GET",
      `/v1/jobs?company=EvenCo&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
  });

  it("when jobs are inserted between page requests, then later pages neither repeat nor skip earlier jobs", async () => {
    const original: string[] = [];
    for (let i = 0; i < 4; i++) original.push(await create({ company: "StableCo" }));
    const first = await api.request("GET", "/v1/jobs?company=StableCo&limit=2");
    await create({ company: "StableCo" });
    await create({ company: "StableCo" });
    const second = await api.request(
      "GET",
      `/v1/jobs?company=StableCo&limit=2&cursor=${first.body.nextCursor}`,
    );
    const seen = [...idsOf(first.body), ...idsOf(second.body)];
    expect(seen).toEqual([...original].reverse());
  });

  it("when filtering by status, company and location, then only exact matches are returned", async () => {
    const match = await create({ company: "FilterCo", location: "Oslo", status: "open" });
    await create({ company: "FilterCo", location: "Oslo", status: "closed" });
    await create({ company: "FilterCo", location: "oslo", status: "open" });
    await create({ company: "FilterCorp", location: "Oslo", status: "open" });
    const reply = await api.request("GET", "/v1/jobs?company=FilterCo&location=Oslo&status=open");
    expect(reply.status).toBe(200);
    expect(idsOf(reply.body)).toEqual([match]);
  });

  it("when filtering by ownerId=me, then only the caller's jobs are returned", async () => {
    const mine = await create({ company: "OwnerCo" }, "me-user");
    await create({ company: "OwnerCo" }, "other-user");
    const reply = await api.request("GET", "/v1/jobs?company=OwnerCo&ownerId=me", {
      tokenOptions: { sub: "me-user" },
    });
    expect(idsOf(reply.body)).toEqual([mine]);
    const byId = await api.request("GET", "/v1/jobs?company=OwnerCo&ownerId=other-user");
    expect(byId.body.items).toHaveLength(1);
  });

  it("when no limit is given, then a page holds at most 20 jobs", async () => {
    for (let i = 0; i < 21; i++) await create({ company: "DefaultLimitCo" });
    const reply = await api.request("GET", "/v1/jobs?company=DefaultLimitCo");
    expect(reply.body.items).toHaveLength(20);
    expect(reply.body.nextCursor).toEqual(expect.any(String));
  });

  it("when the cursor is not one the API issued, then it answers 400", async () => {
    for (const cursor of ["garbage", "eyJ2IjoxfQ", "A".repeat(150), "%7B%7D"]) {
      const reply = await api.request("GET", `/v1/jobs?cursor=${cursor}`);
      expect(reply.status).toBe(400);
    }
  });
});
