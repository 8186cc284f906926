import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi-document.js";
import { RegisterBody } from "./routes/schemas.js";

interface Operation {
  operationId?: string;
  responses: Record<string, { links?: Record<string, { operationId: string; requestBody?: object }> }>;
}

interface Schema {
  properties: Record<string, { format?: string; minLength?: number; maxLength?: number }>;
}
const doc = (await openApiDocument()) as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const responseLinks = (path: string, status: string) => doc.paths[path]!["post"]!.responses[status]!.links;

describe("the auth service's OpenAPI document, built offline", () => {
  it("when an account is registered, then its link logs in with the email and password just sent", () => {
    expect(responseLinks("/v1/auth/register", "201")).toEqual({
      login: {
        operationId: "login",
        requestBody: { email: "$request.body#/email", password: "$request.body#/password" },
      },
    });
  });

  it("when a token pair is issued by login or refresh, then its refresh token is rotated or revoked next", () => {
    for (const path of ["/v1/auth/login", "/v1/auth/refresh"]) {
      const links = responseLinks(path, "200");
      expect(links?.["refresh"]).toEqual({
        operationId: "refresh",
        requestBody: { refreshToken: "$response.body#/refreshToken" },
      });
      expect(links?.["logout"]?.operationId).toBe("logout");
    }
  });

  it("when the document is built, then every operation has an id for links to name", () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids).not.toContain(undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("when the register body is documented, then it states the password lengths and email format that validation enforces", () => {
    const { email, password } = doc.components.schemas["RegisterRequest"]!.properties;
    expect(email?.format).toBe("email");
    const { minLength = 0, maxLength = Infinity } = password ?? {};
    // Emoji: one code point each, two UTF-16 units; JSON Schema lengths count code points, as the policy does.
    const accepts = (length: number) =>
      RegisterBody.safeParse({ email: "a@example.com", password: "🔑".repeat(length) }).success;
    expect([minLength - 1, minLength, maxLength, maxLength + 1].map(accepts)).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});
