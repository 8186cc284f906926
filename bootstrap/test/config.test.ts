import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";

const source = (values: Record<string, string>) => ({ get: (key: string) => values[key] });
const ids = { githubRepositoryId: "260064828", githubOwnerId: "1342004" };

describe("bootstrap configuration", () => {
  it("when only the repository and its IDs are set, then the project comes from gcp:project and one dev stack deploys there from staging", () => {
    const config = parseConfig(source({ githubRepository: "org/repo", ...ids }), "ci-project-1");
    expect(config).toMatchObject({
      project: "ci-project-1",
      stacks: [{ stack: "dev", project: "ci-project-1", environment: "staging" }],
      region: "europe-west1",
    });
  });

  it("when the repository, its IDs and the stacks are malformed, then one error names every key", () => {
    expect(() =>
      parseConfig(
        source({
          githubRepository: "not a repo",
          githubRepositoryId: "org/repo",
          stacks: '[{"stack":"UPPER"}]',
        }),
        "ci-project-1",
      ),
    ).toThrow(/githubRepository:[\s\S]*githubRepositoryId[\s\S]*githubOwnerId[\s\S]*stacks/);
  });

  it("when a stack's deploys need a reviewer, then approval is read per stack (default false), and a non-boolean is refused", () => {
    const stacks = JSON.stringify([
      { stack: "dev", project: "platform-dev-1", environment: "staging" },
      { stack: "prod", project: "platform-prod-1", environment: "production", approval: true },
    ]);
    const config = parseConfig(source({ githubRepository: "org/repo", ...ids, stacks }), "ci-project-1");
    expect(config.stacks.map((t) => [t.stack, t.approval])).toEqual([
      ["dev", false],
      ["prod", true],
    ]);
    const bad = JSON.stringify([
      { stack: "prod", project: "platform-prod-1", environment: "p", approval: "yes" },
    ]);
    expect(() =>
      parseConfig(source({ githubRepository: "org/repo", ...ids, stacks: bad }), "ci-project-1"),
    ).toThrow(/stacks:/);
  });

  it("when two stacks share a GitHub environment, then it is refused (each environment gets one deployer)", () => {
    const stacks = JSON.stringify([
      { stack: "dev", project: "platform-dev-1", environment: "production" },
      { stack: "prod", project: "platform-prod-1", environment: "production" },
    ]);
    expect(() =>
      parseConfig(source({ githubRepository: "org/repo", ...ids, stacks }), "ci-project-1"),
    ).toThrow(/each environment must be unique/);
  });
});
