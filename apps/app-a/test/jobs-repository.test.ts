import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectId } from "mongodb";
import { CLAIMS_COLLECTION, RevisionClaims } from "../src/data/revision-claims.js";
import { JOB_INDEXES, JOBS_COLLECTION, JobsRepository } from "../src/data/jobs-repository.js";
import { newJob } from "../src/domain/job.js";
import { CreateJobBody } from "../src/routes/schemas.js";
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

  it("when updates based on the same version race, then exactly one wins, every time", async () => {
    // A second client gives the racers separate connections, as separate app instances would have.
    const other = new JobsRepository(database.client.db(database.name));
    for (let round = 0; round < 10; round++) {
      const job = await jobs.insert(buildJob());
      const attempts = await Promise.all(
        ["first", "second", "third"].map((title, i) =>
          (i === 1 ? other : jobs).updateIfVersion(
            job.id,
            "owner-1",
            [1],
            { set: { title }, unset: [] },
            new Date(),
          ),
        ),
      );
      const winners = attempts.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect((await jobs.findById(job.id, "owner-1"))?.version).toBe(2);
    }
  });

  it("when the FerretDB workarounds are off (MongoDB), then writes still check the version and store no claims", async () => {
    // Not ensureIndexes: its batched command is what FerretDB v1 cannot take (docs/decisions/0003).
    const unguarded = new JobsRepository(database.db, { ferretdbWorkarounds: false });
    const job = await unguarded.insert(buildJob());
    const update = { set: { title: "Staff SRE" }, unset: [] };
    expect((await unguarded.updateIfVersion(job.id, "owner-1", [1], update, new Date()))?.version).toBe(2);
    expect(await unguarded.updateIfVersion(job.id, "owner-1", [1], update, new Date())).toBeNull();
    expect(await unguarded.deleteIfOwned(job.id, "owner-1", [2])).toBe(true);
    const claims = database.db.collection(CLAIMS_COLLECTION);
    expect(await claims.countDocuments({ jobId: new ObjectId(job.id) })).toBe(0);
  });

  it("when a job is updated several times and then deleted, then no revision claims are left behind", async () => {
    const job = await jobs.insert(buildJob());
    for (let version = 1; version <= 3; version++) {
      expect(
        await jobs.updateIfVersion(job.id, "owner-1", [version], { set: {}, unset: [] }, new Date()),
      ).not.toBeNull();
    }
    const claims = database.db.collection(CLAIMS_COLLECTION);
    expect(await claims.countDocuments({ jobId: new ObjectId(job.id) })).toBe(1);
    expect(await jobs.deleteIfOwned(job.id, "owner-1")).toBe(true);
    expect(await claims.countDocuments({ jobId: new ObjectId(job.id) })).toBe(0);
  });

  it("when a claim's holder died before writing, then the claim is taken over after its lease", async () => {
    const claims = new RevisionClaims(database.db, 1000);
    const jobId = new ObjectId();
    const t0 = new Date("2025-01-01T00:00:00Z");
    expect(await claims.claim(jobId, 2, t0)).toBe(true);
    expect(await claims.claim(jobId, 2, new Date(t0.getTime() + 500))).toBe(false);
    expect(await claims.claim(jobId, 2, new Date(t0.getTime() + 1500))).toBe(true);
  });

  it("when someone other than the owner updates or deletes, then nothing changes", async () => {
    const job = await jobs.insert(buildJob());
    expect(
      await jobs.updateIfVersion(job.id, "intruder", [1], { set: { title: "x" }, unset: [] }, new Date()),
    ).toBeNull();
    expect(await jobs.deleteIfOwned(job.id, "intruder")).toBe(false);
    expect((await jobs.findById(job.id, "owner-1"))?.title).toBe("SRE");
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
    const firstPage = await jobs.list({ company: "PagingCo", viewerId: "owner-1" }, undefined, 2);
    expect(firstPage.map((job) => job.id)).toEqual([ids[4], ids[3]]);
    const secondPage = await jobs.list({ company: "PagingCo", viewerId: "owner-1" }, ids[3], 10);
    expect(secondPage.map((job) => job.id)).toEqual([ids[2], ids[1], ids[0]]);
  });

  it("when an id is malformed, then it finds nothing instead of throwing", async () => {
    expect(await jobs.findById("not-an-id", "owner-1")).toBeNull();
    expect(await jobs.deleteIfOwned("zz", "owner-1")).toBe(false);
  });
});
