import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import config from "../vitest.config.js";
import { infraDir } from "./support/rendered.js";

const scripts = (
  JSON.parse(readFileSync(path.join(infraDir, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe("infra's package scripts", () => {
  it("when the tests run, then nothing is built a second time: turbo's build is the only one, and the stacks are rendered from source", () => {
    expect(scripts.test).toBe("vitest run");
    expect(config.test?.globalSetup).toEqual(["test/support/render-stacks.ts"]);
  });

  it("when someone renders by hand, then render still compiles both layers and runs the render CLI", () => {
    expect(scripts.render).toBe(`${scripts.build} && node dist/render/cli.js`);
    expect(scripts.build).toBe("tsc -p tsconfig.build.json");
  });
});
