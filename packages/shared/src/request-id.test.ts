import { describe, expect, it } from "vitest";
import { parseTraceContext, requestIdFrom, sanitizeRequestId } from "./request-id.js";

describe("sanitizeRequestId", () => {
  it.each(["abc-123", "a.b_c:d", "x".repeat(128), "0b6f2c1e-7f2a-4b3e-9b1a-1c2d3e4f5a6b"])(
    "when the id is %s, then it is kept",
    (id) => {
      expect(sanitizeRequestId(id)).toBe(id);
    },
  );

  it.each(["", "x".repeat(129), "a b", "a\nb", "<script>", "é", "a,b"])(
    "when the id is %j, then it is refused",
    (id) => {
      expect(sanitizeRequestId(id)).toBeUndefined();
    },
  );

  it("when the header is repeated, then it is refused", () => {
    expect(sanitizeRequestId(["a", "b"])).toBeUndefined();
  });
});

describe("requestIdFrom", () => {
  it("when the incoming id is unsafe, then a fresh UUID is used", () => {
    expect(requestIdFrom("bad id\r\n")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("parseTraceContext", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

  it("when traceparent is valid, then trace and span ids are taken from it", () => {
    expect(parseTraceContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toEqual({
      traceId,
      spanId: "00f067aa0ba902b7",
    });
  });

  it("when traceparent has an all-zero trace id, then it is ignored", () => {
    expect(parseTraceContext({ traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` })).toBeUndefined();
  });

  it("when only X-Cloud-Trace-Context is sent, then it is used", () => {
    expect(parseTraceContext({ "x-cloud-trace-context": `${traceId.toUpperCase()}/123;o=1` })).toEqual({
      traceId,
      spanId: "123",
    });
  });

  it("when headers are garbage, then there is no trace", () => {
    expect(parseTraceContext({ traceparent: "nonsense", "x-cloud-trace-context": "zz" })).toBeUndefined();
  });
});
