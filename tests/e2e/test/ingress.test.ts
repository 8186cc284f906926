import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiClient } from "../src/client.js";
import type { Api } from "../src/client.js";

const platform = inject("platform");
let api: Api;

beforeAll(() => {
  api = apiClient(platform.httpsUrl, platform.caFile);
});
afterAll(async () => {
  await api.close();
});

describe("the HTTPS entry point", () => {
  it("when a client uses plain HTTP, then it is redirected to the same path over HTTPS", async () => {
    const response = await fetch(`${platform.httpUrl}/v1/jobs?limit=1`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(`${platform.httpsUrl}/v1/jobs?limit=1`);
  });

  it("when the JWKS is fetched through the ingress, then app-b publishes Ed25519 keys", async () => {
    const response = await api.request<{ keys: { kty: string; crv: string; kid: string }[] }>(
      "GET",
      "/.well-known/jwks.json",
    );
    expect(response.status).toBe(200);
    expect(response.body.keys.length).toBeGreaterThan(0);
    expect(response.body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519" });
  });

  it.each([
    ["/v1/no-such-route", "app-a"],
    ["/v1/auth/no-such-route", "app-b"],
  ])("when %s is requested, then %s answers a 404 problem document", async (path) => {
    const response = await api.request("GET", path);
    expect(response.status).toBe(404);
    expect(response.contentType).toContain("application/problem+json");
    expect(response.body).toMatchObject({ status: 404 });
  });

  it("when a path no route claims is requested, then the entry point answers 404 (nginx: a problem document)", async () => {
    const response = await api.request("GET", "/no-such-route");
    expect(response.status).toBe(404);
    // A Gateway (GCLB, Traefik) answers unrouted paths with its own page: the Gateway API has no direct responses,
    // and a catch-all route to an app would expose its /healthz and /readyz.
    if (platform.entryPoint === "nginx") {
      expect(response.contentType).toContain("application/problem+json");
      expect(response.body).toMatchObject({ status: 404 });
    }
  });

  it("when internal endpoints are requested through the ingress, then they are not exposed", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"])
      expect((await api.request("GET", path)).status).toBe(404);
  });
});
