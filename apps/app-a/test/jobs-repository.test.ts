import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_INDEXES, JOBS_COLLECTION, JobsRepository } from "../src/data/jobs-repository.js";
import { newJob } from "../src/domain/job.js";
import { CreateJobBody } from "../src/domain/schemas.js";
import { createTestDatabase } from "./support/database.js";
import type { TestDatabase } from "./support/database.js";

let database: TestDatabase;
let jobs: JobsRepository;

beforeAll(async () => {
  database = await createTestDatabase("repository");
  jobs = new JobsRepository(database.db);
});
afterAll(async () => {
  await database.drop();
});

const buildJob = (overrides: Record<string, unknown> = {}, ownerId = "owner-1") =>
  newJob(
    CreateJobBody.parse({ title: "SRE", company: "Acme", location: "Berlin", ...overrides }),
    ownerId,
    new Date(),
  );

describe("jobs repository against the real database", () => {
  it("when indexes are ensured twice, then the second call succeeds and every index exists", async () => {
    await jobs.ensureIndexes();
    await jobs.ensureIndexes();
    const names = (await database.db.collection(JOBS_COLLECTION).indexes()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(JOB_INDEXES.map((index) => index.name)));
  });

  it("when two updates are based on the same version at the same time, then exactly one wins", async () => {
    const job = await jobs.insert(buildJob());
    const attempts = await Promise.all(
      ["first", "second", "third"].map((title) =>
        jobs.updateIfVersion(job.id, "owner-1", [1], { set: { title }, unset: [] }, new Date()),
      ),
    );
    const winners = attempts.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.version).toBe(2);
  });

  it("when someone other than the owner updates or deletes, then nothing changes", async () => {
    const job = await jobs.insert(buildJob());
    expect(
      await jobs.updateIfVersion(job.id, "intruder", [1], { set: { title: "x" }, unset: [] }, new Date()),
    ).toBeNull();
    expect(await jobs.deleteIfOwned(job.id, "intruder")).toBe(false);
    expect((await jobs.findById(job.id))?.title).toBe("SRE");
  });

  it("when salary is unset, then the stored job no longer has one", async () => {
    const job = await jobs.insert(buildJob({ salary: { min: 1, max: 2, currency: "EUR" } }));
    const updated = await jobs.updateIfVersion(
      job.id,
      "owner-1",
      [1],
      { set: {}, unset: ["salary"] },
      new Date(),
    );
    expect(updated && "salary" in updated).toBe(false);
  });

  it("when a page continues after an id, then it returns only older jobs, newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await jobs.insert(buildJob({ company: "PagingCo" }))).id);
    const firstPage = await jobs.list({ company: "PagingCo" }, undefined, 2);
    expect(firstPage.map((job) => job.id)).toEqual([ids[4], ids[3]]);
    const secondPage = await jobs.list({ company: "PagingCo" }, ids[3], 10);
    expect(secondPage.map((job) => job.id)).toEqual([ids[2], ids[1], ids[0]]);
  });

  it("when an id is malformed, then it finds nothing instead of throwing", async () => {
    expect(await jobs.findById("not-an-id")).toBeNull();
    expect(await jobs.deleteIfOwned("zz", "owner-1")).toBe(false);
  });
});
