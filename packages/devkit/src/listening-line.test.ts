import { describe, expect, it } from "vitest";
import { parseListeningLine } from "./listening-line.js";

describe("parseListeningLine", () => {
  it("when a service logs listening with both ports, then both are read", () => {
    const line = JSON.stringify({ severity: "INFO", message: "listening", port: 40123, metricsPort: 40124 });
    expect(parseListeningLine(line)).toEqual({ port: 40123, metricsPort: 40124 });
  });

  it("when the line has no metrics port (a benchmark baseline), then only the API port is read", () => {
    expect(parseListeningLine('{"message":"listening","port":8080}')).toEqual({
      port: 8080,
      metricsPort: undefined,
    });
  });

  it.each([
    "listening on 3000",
    '{"message":"listening"',
    '{"message":"request","port":3000}',
    '{"message":"listening","port":"3000"}',
    '{"message":"listening","port":0}',
    "",
  ])("when the line is %j, then it is not a listening line", (line) => {
    expect(parseListeningLine(line)).toBeUndefined();
  });
});
