import { describe, expect, it } from "vitest";
import { packageOf, selfTimes } from "./cpuprofile.js";
import type { CpuProfile } from "./cpuprofile.js";

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", "") },
    {
      id: 2,
      callFrame: frame("handle", "file:///w/node_modules/.pnpm/express@5/node_modules/express/lib/x.js"),
    },
    { id: 3, callFrame: frame("verify", "file:///w/node_modules/.pnpm/jose@6/node_modules/jose/dist/v.js") },
    { id: 4, callFrame: frame("", "file:///w/apps/app-a/dist/routes/jobs.js") },
    { id: 5, callFrame: frame("writev", "node:internal/stream_base_commons") },
  ],
  samples: [2, 3, 3, 3, 4, 5, 1],
  timeDeltas: [1000, 1000, 1000, 1000, 2000, 1000, 3000],
  startTime: 0,
  endTime: 10_000,
};

describe("cpuprofile summary", () => {
  it("when frames come from pnpm's store, scoped packages, node internals or the workspace, then they are named", () => {
    expect(
      packageOf("file:///w/node_modules/.pnpm/@node-rs+argon2@2/node_modules/@node-rs/argon2/i.js"),
    ).toBe("@node-rs/argon2");
    expect(packageOf("node:internal/http")).toBe("node:internals");
    expect(packageOf("file:///w/packages/shared/dist/log.js")).toBe("packages/shared");
    expect(packageOf("")).toBe("(native/V8)");
  });

  it("when summarising by function, then self time is summed per frame and sorted with percentages", () => {
    const rows = selfTimes(profile, "function");
    expect(rows[0]).toEqual({ key: "verify jose/dist/v.js:10", ms: 3, percent: 30 });
    expect(rows.find((r) => r.key.startsWith("(anonymous) apps/app-a"))?.ms).toBe(2);
  });

  it("when summarising by package, then frames of one package are added together", () => {
    const rows = selfTimes(profile, "package");
    expect(rows.map((r) => [r.key, r.ms])).toEqual([
      ["jose", 3],
      ["(native/V8)", 3],
      ["apps/app-a", 2],
      ["express", 1],
      ["node:internals", 1],
    ]);
  });
});
