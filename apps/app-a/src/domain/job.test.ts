import { describe, expect, it } from "vitest";
import { isOwner, jobChanges, jobFilter, newJob, toJobView } from "./job.js";
import { CreateJobBody, ListJobsQuery, PatchJobBody } from "./schemas.js";

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
    expect(jobFilter(query, "user-9")).toEqual({ ownerId: "user-9", status: "open" });
  });

  it("when the listing has no filters, then the filter is empty", () => {
    expect(jobFilter(ListJobsQuery.parse({}), "user-9")).toEqual({});
  });

  it("when a different user asks, then they are not the owner", () => {
    expect(isOwner({ ownerId: "a" }, "a")).toBe(true);
    expect(isOwner({ ownerId: "a" }, "b")).toBe(false);
  });

  it("when a job is shown, then dates are ISO strings and an absent salary is omitted", () => {
    const view = toJobView({
      id: "x",
      ...newJob(CreateJobBody.parse({ title: "t", company: "c", location: "l" }), "u", now),
    });
    expect(view.createdAt).toBe("2025-01-02T03:04:05.000Z");
    expect("salary" in view).toBe(false);
  });
});

describe("request schemas", () => {
  it("when a salary has min above max, then it is rejected", () => {
    const result = CreateJobBody.safeParse({
      title: "t",
      company: "c",
      location: "l",
      salary: { min: 10, max: 5, currency: "EUR" },
    });
    expect(result.success).toBe(false);
  });

  it("when a body has an unknown field, then it is rejected", () => {
    expect(CreateJobBody.safeParse({ title: "t", company: "c", location: "l", extra: 1 }).success).toBe(
      false,
    );
  });

  it("when a field holds a MongoDB operator object, then it is rejected", () => {
    expect(CreateJobBody.safeParse({ title: { $gt: "" }, company: "c", location: "l" }).success).toBe(false);
    expect(ListJobsQuery.safeParse({ company: { $gt: "" } }).success).toBe(false);
  });

  it("when a title is longer than 200 characters, then it is rejected", () => {
    expect(CreateJobBody.safeParse({ title: "x".repeat(201), company: "c", location: "l" }).success).toBe(
      false,
    );
  });

  it("when limit is outside 1..100 or not a number, then it is rejected; when absent, it is 20", () => {
    for (const limit of ["0", "101", "1000", "abc", "1.5"]) {
      expect(ListJobsQuery.safeParse({ limit }).success).toBe(false);
    }
    expect(ListJobsQuery.parse({}).limit).toBe(20);
    expect(ListJobsQuery.parse({ limit: "5" }).limit).toBe(5);
  });

  it("when a patch is empty, then it is rejected", () => {
    expect(PatchJobBody.safeParse({}).success).toBe(false);
  });
});
