import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";

const source = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("bootstrap configuration", () => {
  it("when only the repository is set, then the project comes from gcp:project and targets default to it", () => {
    const config = parseConfig(source({ githubRepository: "org/repo" }), "ci-project-1");
    expect(config).toMatchObject({
      project: "ci-project-1",
      targetProjects: ["ci-project-1"],
      region: "europe-west1",
    });
  });

  it("when the repository and target projects are malformed, then one error names both keys", () => {
    expect(() =>
      parseConfig(source({ githubRepository: "not a repo", targetProjects: '["UPPER"]' }), "ci-project-1"),
    ).toThrow(/githubRepository[\s\S]*targetProjects/);
  });
});
