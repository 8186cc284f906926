import { describe, expect, it } from "vitest";
import { renderNginxConfig, upstreamAddress, upstreamServers } from "./nginx-config.js";
import type { NginxConfigValues } from "./nginx-config.js";

const values: NginxConfigValues = {
  prefix: "/tmp/x",
  httpsPort: 8443,
  httpPort: 8080,
  statusPort: 9000,
  certFile: "/tmp/x/c.crt",
  keyFile: "/tmp/x/c.key",
  upstreams: { "app-a": ["127.0.0.1:3000", "127.0.0.1:3002"], "app-b": ["127.0.0.1:3001"] },
  generation: 7,
};

describe("renderNginxConfig", () => {
  it("when rendered, then no placeholder is left and both upstream groups list their instances", () => {
    const conf = renderNginxConfig(values);
    expect(conf).not.toMatch(/\{\{/);
    expect(conf).toMatch(
      /upstream app_a \{\n\s+server 127\.0\.0\.1:3000 max_fails=1 fail_timeout=2s;\n\s+server 127\.0\.0\.1:3002/,
    );
    expect(conf).toContain('return 200 "7";');
    expect(conf).toContain("return 301 https://$host:8443$request_uri;");
  });

  it("when the template has an unknown placeholder, then rendering fails", () => {
    expect(() => renderNginxConfig(values, "listen {{nope}};")).toThrow(/\{\{nope\}\}/);
  });
});

describe("upstreamServers", () => {
  it("when an instance failed its health check, then it is marked down", () => {
    expect(upstreamServers(["a:1", "b:2"], new Set(["b:2"]))).toMatch(/server b:2 .* down;/);
  });

  it("when a group is empty, then it gets one always-down placeholder (nginx rejects empty upstreams)", () => {
    expect(upstreamServers([])).toContain("server 127.0.0.1:1 down;");
  });
});

describe("upstreamAddress", () => {
  it("when given a URL or host:port, then it returns host:port", () => {
    expect(upstreamAddress("http://127.0.0.1:3000/")).toBe("127.0.0.1:3000");
    expect(upstreamAddress("localhost:3001")).toBe("localhost:3001");
  });

  it("when given something else, then it throws", () => {
    expect(() => upstreamAddress("127.0.0.1; evil")).toThrow(/host:port/);
  });
});
