/** A job as the jobs API takes it in `POST /v1/jobs` (app-a's CreateJobBody; its tests check the two agree). */
export interface JobInput {
  title: string;
  company: string;
  location: string;
  description?: string;
  status?: "draft" | "open" | "closed";
  salary?: { min: number; max: number; currency: string };
}

/** The one job factory of the tests and benchmarks: a valid job; `overrides` replace fields. */
export function buildJob(overrides: Partial<JobInput> = {}): JobInput {
  return {
    title: "Site Reliability Engineer",
    company: "Acme",
    location: "Berlin",
    description: "Keep things running.",
    status: "open",
    salary: { min: 60000, max: 80000, currency: "EUR" },
    ...overrides,
  };
}
