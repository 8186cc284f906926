import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { callersOf, parseCatalogue, serviceEntry, SERVICES, tokenIssuer } from "./catalogue.js";

const doc = JSON.parse(readFileSync(new URL("./services.json", import.meta.url), "utf8")) as {
  services: Record<string, unknown>[];
};
const withService = (changes: Record<string, unknown>, index = 0) => ({
  services: doc.services.map((s, i) => (i === index ? { ...s, ...changes } : s)),
});

describe("the service catalogue", () => {
  it("when the committed catalogue is read, then every service has a unique name, ports and database", () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(2);
    expect(new Set(SERVICES.map((s) => s.name)).size).toBe(SERVICES.length);
    expect(tokenIssuer()?.tokens).toBe("issuer");
    for (const s of SERVICES) expect(serviceEntry(s.name)).toBe(s);
  });

  it("when a service calls another, then the callee lists it among its callers", () => {
    for (const s of SERVICES)
      for (const callee of s.calls) expect(callersOf(callee).map((c) => c.name)).toContain(s.name);
  });

  it("when an unknown service is asked for, then the error names the known ones", () => {
    expect(() => serviceEntry("nope")).toThrow(new RegExp(SERVICES.map((s) => s.name).join(", ")));
  });

  it.each([
    [{ name: "App_A" }, /name: expected a DNS label/],
    [{ port: 80 }, /port: expected a port 1024-65535/],
    [{ routes: ["v1"] }, /routes: expected an array of path prefixes/],
    [{ tokens: "maybe" }, /tokens: expected issuer, verifier or none/],
    [{ calls: ["ghost"] }, /calls: unknown service ghost/],
    [{ smokePath: "/elsewhere" }, /smokePath: expected a GET path under one of its routes/],
    [{ resources: { cpuRequest: "lots" } }, /resources.cpuRequest: expected a Kubernetes quantity/],
  ])("when an entry has %j, then parsing fails naming the field", (changes, message) => {
    expect(() => parseCatalogue(withService(changes, doc.services.length - 1))).toThrow(message);
  });

  it("when a service scales on requests without its measured per-pod rate, then parsing fails", () => {
    const last = doc.services.length - 1;
    const withoutRate: Record<string, unknown> = { ...doc.services[last]!, autoscaling: "requests" };
    delete withoutRate.requestsPerSecondPerPod;
    expect(() =>
      parseCatalogue({ services: doc.services.map((s, i) => (i === last ? withoutRate : s)) }),
    ).toThrow(/requestsPerSecondPerPod: expected the measured per-pod rate/);
  });

  it("when two services share a port, database or route, then parsing fails", () => {
    const first = doc.services[0]!;
    expect(() => parseCatalogue(withService({ port: first.port }, 1))).toThrow(/port \d+ is used twice/);
    expect(() => parseCatalogue(withService({ database: first.database }, 1))).toThrow(
      /database \S+ is used twice/,
    );
    expect(() =>
      parseCatalogue(withService({ routes: first.routes, smokePath: first.smokePath }, 1)),
    ).toThrow(/route \S+ is used twice/);
  });

  it("when a verifier does not call the issuer, then parsing fails (it could not fetch the keys)", () => {
    const verifier = doc.services.findIndex((s) => s.tokens === "verifier");
    expect(() => parseCatalogue(withService({ calls: [] }, verifier))).toThrow(/must call/);
  });
});
