import { describe, expect, it } from "vitest";
import { etagFor, parseIfMatch } from "./preconditions.js";

describe("ETags and If-Match", () => {
  it('when a job has version 3, then its ETag is the strong tag "3"', () => {
    expect(etagFor(3)).toBe('"3"');
  });

  it("when If-Match is absent, then the precondition is missing", () => {
    expect(parseIfMatch(undefined)).toEqual({ kind: "missing" });
  });

  it("when If-Match names one version, then that version is required", () => {
    expect(parseIfMatch('"7"')).toEqual({ kind: "versions", versions: [7] });
  });

  it("when If-Match lists several tags, then any of those versions is accepted", () => {
    expect(parseIfMatch(' "1" , "2"')).toEqual({ kind: "versions", versions: [1, 2] });
  });

  it("when If-Match is a weak tag, then it can never match (strong comparison)", () => {
    expect(parseIfMatch('W/"3"')).toEqual({ kind: "versions", versions: [] });
  });

  it("when If-Match is a well-formed tag that is not a version, then it can never match", () => {
    expect(parseIfMatch('"abc"')).toEqual({ kind: "versions", versions: [] });
    expect(parseIfMatch('"0"')).toEqual({ kind: "versions", versions: [] });
  });

  it("when If-Match is *, then it is recognised so the caller can refuse it", () => {
    expect(parseIfMatch("*")).toEqual({ kind: "any" });
  });

  it.each(["3", '"3', "", '"3",', '"a b"', Array.from({ length: 21 }, () => '"1"').join(",")])(
    "when If-Match is %j, then it is invalid",
    (header) => {
      expect(parseIfMatch(header)).toEqual({ kind: "invalid" });
    },
  );
});
