import { describe, expect, it } from "vitest";
// The domain takes what the edge parsed, so its tests parse inputs with the routes' schemas.
import { CreateJobBody, ListJobsQuery, PatchJobBody } from "../routes/schemas.js";
import { isOwner, jobChanges, jobFilter, newJob } from "./job.js";

const now = new Date("2025-01-02T03:04:05.000Z");

describe("job domain", () => {
  it("when a job is created, then it starts at version 1 owned by the caller with both timestamps now", () => {
    const input = CreateJobBody.parse({ title: "SRE", company: "Acme", location: "Berlin" });
    const job = newJob(input, "user-1", now);
    expect(job).toEqual({
      title: "SRE",
      company: "Acme",
      location: "Berlin",
      description: "",
      status: "draft",
      ownerId: "user-1",
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
  });

  it("when a patch sets some fields, then only those are set and nothing is removed", () => {
    const patch = PatchJobBody.parse({ title: " New ", status: "open" });
    expect(jobChanges(patch)).toEqual({ set: { title: "New", status: "open" }, unset: [] });
  });

  it("when a patch sets salary to null, then salary is removed", () => {
    expect(jobChanges(PatchJobBody.parse({ salary: null }))).toEqual({ set: {}, unset: ["salary"] });
  });

  it("when a patch gives a salary, then it replaces the whole range", () => {
    const salary = { min: 1, max: 2, currency: "EUR" };
    expect(jobChanges(PatchJobBody.parse({ salary }))).toEqual({ set: { salary }, unset: [] });
  });

  it("when the listing asks for ownerId=me, then it filters by the caller's id", () => {
    const query = ListJobsQuery.parse({ ownerId: "me", status: "open" });
    expect(jobFilter(query, "user-9")).toEqual({ ownerId: "user-9", status: "open", viewerId: "user-9" });
  });

  it("when the listing has no filters, then the filter only names whose drafts it may include", () => {
    expect(jobFilter(ListJobsQuery.parse({}), "user-9")).toEqual({ viewerId: "user-9" });
  });

  it("when a different user asks, then they are not the owner", () => {
    expect(isOwner({ ownerId: "a" }, "a")).toBe(true);
    expect(isOwner({ ownerId: "a" }, "b")).toBe(false);
  });
});
