import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.js";

describe("mixed-load CLI flags", () => {
  it("when given the documented flags, then they become the load's options", () => {
    const cli = parseCliArgs([
      "--",
      "--base-url",
      "https://127.0.0.1:30443",
      "--ca-file",
      "ca.pem",
      "--requests",
      "20000",
      "--connections",
      "16",
      "--rate",
      "500",
      "--mix",
      "get=9,login=1",
      "--json",
      "out.json",
    ]);
    expect(cli).toEqual({
      jsonFile: "out.json",
      progressSeconds: 5,
      load: {
        baseUrl: "https://127.0.0.1:30443",
        caFile: "ca.pem",
        requests: 20000,
        connections: 16,
        ratePerSecond: 500,
        mix: { get: 9, login: 1 },
        setup: {},
      },
    });
  });

  it("when no bound is given, then the run is refused", () => {
    expect(() => parseCliArgs(["--base-url", "https://x"])).toThrow(/every run is bounded/);
  });

  it("when a number is not a number, then the flag is named", () => {
    expect(() => parseCliArgs(["--base-url", "https://x", "--requests", "many"])).toThrow(/--requests/);
  });
});
