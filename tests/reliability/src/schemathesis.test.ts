import { describe, expect, it } from "vitest";
import { ReportSummary } from "./schemathesis-report.js";
import { GATEWAY_PATHS, schemathesisArgs, schemathesisConfig } from "./schemathesis.js";

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe("schemathesisArgs", () => {
  it("when a Gateway run is described, then the CA, the token, the seed and the stateful phase reach st", () => {
    const args = schemathesisArgs(
      {
        schema: "/tmp/app-a.openapi.json",
        baseUrl: "https://gateway.test",
        caFile: "/tmp/ca.pem",
        headers: { Authorization: "Bearer t0ken" },
        maxExamples: 1000,
        seed: 7,
        includePathRegex: GATEWAY_PATHS,
      },
      "/tmp/report/events.ndjson",
    );
    expect(args.slice(0, 4)).toEqual(["run", "/tmp/app-a.openapi.json", "--url", "https://gateway.test"]);
    expect(flag(args, "--tls-verify")).toBe("/tmp/ca.pem");
    expect(flag(args, "--header")).toBe("Authorization: Bearer t0ken");
    expect(flag(args, "--phases")).toBe("examples,coverage,fuzzing,stateful");
    expect(flag(args, "--max-examples")).toBe("1000");
    expect(flag(args, "--seed")).toBe("7");
    expect(flag(args, "--include-path-regex")).toBe(GATEWAY_PATHS);
    expect(flag(args, "--report-ndjson-path")).toBe("/tmp/report/events.ndjson");
  });

  it("when no CA or seed is given, then st verifies against the system store and picks its own seed", () => {
    const args = schemathesisArgs({ schema: "s.json", baseUrl: "https://x.test" }, "e.ndjson");
    expect(args).not.toContain("--tls-verify");
    expect(args).not.toContain("--seed");
    expect(args).not.toContain("--max-time");
    expect(args[0]).toBe("run");
  });

  it("when fuzzing must not draw from responses, then a config file says so and st is pointed at it", () => {
    const options = { schema: "s.json", baseUrl: "https://x.test", fuzzFromResponses: false };
    expect(schemathesisConfig(options)).toBe("[phases.fuzzing.extra-data-sources]\nresponses = false\n");
    expect(schemathesisConfig({ ...options, fuzzFromResponses: true })).toBeUndefined();
    expect(schemathesisArgs(options, "e.ndjson", "/tmp/r/schemathesis.toml").slice(0, 3)).toEqual([
      "--config-file",
      "/tmp/r/schemathesis.toml",
      "run",
    ]);
  });
});

describe("ReportSummary", () => {
  const scenario = (phase: string, cases: [string, string, number, boolean, string?][]) => ({
    ScenarioFinished: {
      phase,
      recorder: {
        cases: Object.fromEntries(
          cases.map(([id, label, , linked]) => {
            const [method = "", path = ""] = label.split(" ");
            return [id, { value: { method, path }, is_transition_applied: linked }];
          }),
        ),
        interactions: Object.fromEntries(
          cases.map(([id, , status]) => [id, { response: { status_code: status } }]),
        ),
        checks: Object.fromEntries(
          cases.map(([id, , , , failure]) => [
            id,
            failure === undefined
              ? [{ name: "not_a_server_error", status: "success" }]
              : [
                  {
                    name: "not_a_server_error",
                    status: "failure",
                    failure_info: { failure: { title: failure, message: "boom" } },
                  },
                ],
          ]),
        ),
      },
    },
  });

  it("when scenarios finish, then cases are counted per operation, phase and status, linked ones apart", () => {
    const summary = new ReportSummary();
    summary.add(scenario("fuzzing", [["a", "POST /v1/jobs", 201, false]]));
    summary.add(
      scenario("stateful", [
        ["b", "POST /v1/jobs", 400, false],
        ["c", "PATCH /v1/jobs/{id}", 200, true],
      ]),
    );
    summary.add({ EngineFinished: {} });
    const { complete, operations, findings } = summary.summary();
    expect(complete).toBe(true);
    expect(operations["POST /v1/jobs"]).toMatchObject({ cases: 2, byStatus: { "201": 1, "400": 1 } });
    expect(operations["POST /v1/jobs"]?.byPhase["stateful"]).toEqual({ cases: 1, byStatus: { "400": 1 } });
    expect(operations["PATCH /v1/jobs/{id}"]?.linked).toEqual({ cases: 1, byStatus: { "200": 1 } });
    expect(findings).toEqual([]);
  });

  it("when the same check fails on several cases, then it is one finding with a count and the first status", () => {
    const summary = new ReportSummary();
    summary.add(
      scenario("fuzzing", [
        ["a", "GET /v1/jobs", 500, false, "Server error"],
        ["b", "GET /v1/jobs", 502, false, "Server error"],
      ]),
    );
    const { complete, findings } = summary.summary();
    expect(complete).toBe(false);
    expect(findings).toEqual([
      {
        operation: "GET /v1/jobs",
        phase: "fuzzing",
        check: "not_a_server_error",
        title: "Server error",
        message: "boom",
        status: 500,
        count: 2,
      },
    ]);
  });
});
