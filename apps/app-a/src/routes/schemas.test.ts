import { describe, expect, it } from "vitest";
import { newJob } from "../domain/job.js";
import { CreateJobBody, ListJobsQuery, PatchJobBody, toJobView } from "./schemas.js";

const now = new Date("2025-01-02T03:04:05.000Z");

describe("job view", () => {
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
