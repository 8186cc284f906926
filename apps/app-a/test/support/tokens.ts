import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicKey } from "node:crypto";
import { newSigningKey } from "@platform/devkit";
import type { SigningKey } from "@platform/devkit";
import { exportJWK, SignJWT } from "jose";

/**
 * A stand-in for app-b's key endpoint: a real HTTP server publishing Ed25519 public keys as a JWKS, and a signer
 * that issues access tokens shaped like app-b's. Keeps app-a's tests independent of app-b.
 */
export const TEST_ISSUER = "http://auth.test";
export const TEST_AUDIENCE = "jobs-api";

export interface TokenOptions {
  readonly sub?: string;
  readonly scope?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now; negative for an already expired token. */
  readonly expiresIn?: number;
  /** Sign with a key the JWKS does not publish. */
  readonly unknownKey?: boolean;
  /** The JOSE `typ` header: app-b's access tokens say "at+jwt" (RFC 9068); null leaves it out. */
  readonly typ?: string | null;
}

export interface TestIssuer {
  readonly jwksUrl: string;
  /** Number of JWKS fetches served, to observe caching. */
  readonly fetches: () => number;
  sign(options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const published: SigningKey = newSigningKey("test-key-1");
  const unpublished: SigningKey = newSigningKey("not-published");
  const publicJwk = await exportJWK(createPublicKey(published.privateKey));
  const jwks = JSON.stringify({ keys: [{ ...publicJwk, kid: published.kid, alg: "EdDSA", use: "sig" }] });
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== "/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    sign: (options = {}) => {
      const key = options.unknownKey ? unpublished : published;
      const now = Math.floor(Date.now() / 1000);
      const typ = options.typ === undefined ? "at+jwt" : options.typ;
      return new SignJWT({ scope: options.scope ?? "jobs:read jobs:write" })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...(typ === null ? {} : { typ }) })
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setSubject(options.sub ?? "user-1")
        .setJti(crypto.randomUUID())
        .setIssuedAt(now - 60)
        .setExpirationTime(now + (options.expiresIn ?? 900))
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
