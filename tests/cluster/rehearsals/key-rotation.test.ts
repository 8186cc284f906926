/**
 * A rotation of the token issuer's signing key on the local cluster, under load through the Gateway, by the three
 * deploys infra/README.md "Rotating the signing key" gives for a bring-your-own-cluster stack (the local one):
 *
 *   1. publish the next key (jwtVerificationKeys = [next]); the current key still signs
 *   2. sign with the next key (jwtSigningKey = next, jwtVerificationKeys = [previous])
 *   3. once the longest access token signed by the previous key has expired: remove it (jwtVerificationKeys = [])
 *
 * What it shows: no request of the load fails; a token issued before the switch is accepted by both services
 * until it expires and refused after; new tokens carry the next key's kid; the JWKS shows the set of each step.
 * Access tokens live REHEARSAL_TOKEN_TTL seconds here (the stack's services.app-b.env), so the rehearsal takes
 * minutes rather than the production TTL's quarter hour. Between steps 1 and 2 it waits only past the verifiers'
 * refetch cooldown (30 s), not their 10-minute cache: a token with an unknown kid makes app-a refetch the set.
 *
 * On demand, not in `.ci/run`: `pnpm --filter cluster-checks rehearse` (on a running cluster with
 * CLUSTER_TESTS_REUSE=1, or from a purged one). Figures: tests/cluster/results/key-rotation.json. Afterwards the
 * stack is put back by `pnpm cluster up` (it rewrites the local stack's config).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startMixedLoad } from "load-tools";
import type { Result } from "load-tools";
import { describe, expect, inject, it } from "vitest";
import { cluster, repoRoot } from "../src/cluster.js";
import { DELIVERY_MIX, runAsync, stepBetween, waitForRequests } from "../src/delivery.js";
import type { Step } from "../src/delivery.js";
import { httpsGet, httpsJson } from "../src/https.js";
import { recordResult } from "../src/results.js";

const env = inject("cluster");
const TTL = Number(process.env.REHEARSAL_TOKEN_TTL ?? 120);
/** The services' clock tolerance for `exp` (packages/shared/src/auth.ts). */
const CLOCK_TOLERANCE = 30;

const stackConfig = (args: readonly string[]) =>
  runAsync("bash", [join(repoRoot, "scripts/cluster/cluster.sh"), "pulumi", "config", ...args]);
const up = async () => {
  const started = Date.now();
  const run = await runAsync("bash", [
    join(repoRoot, "scripts/cluster/cluster.sh"),
    "pulumi",
    "up",
    "--yes",
    "--skip-preview",
  ]);
  expect(run.status, run.output.slice(-4000)).toBe(0);
  return (Date.now() - started) / 1000;
};
const setVerificationKeys = async (pems: readonly string[]) => {
  const set = await stackConfig(["set", "--secret", "jwtVerificationKeys", JSON.stringify(pems)]);
  expect(set.status, set.output).toBe(0);
};

const kids = async (): Promise<string[]> => {
  const answer = await httpsGet(`${env.GATEWAY_URL}/.well-known/jwks.json`, env.CA_FILE);
  return (JSON.parse(answer.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
};
const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;
const expOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number }).exp;

const account = {
  email: `rotation-${String(Date.now())}@example.com`,
  password: "rotation rehearsal passphrase 7",
};
const login = async (): Promise<string> => {
  const answer = await httpsJson("POST", `${env.GATEWAY_URL}/v1/auth/login`, env.CA_FILE, account);
  expect(answer.status).toBe(200);
  return (answer.json as { accessToken: string }).accessToken;
};
/** The status each service answers a token with: app-a verifies it by the JWKS, app-b by its own key set. */
const statuses = async (token: string) => {
  const headers = { authorization: `Bearer ${token}` };
  const [a, b] = await Promise.all([
    httpsJson("GET", `${env.GATEWAY_URL}/v1/jobs`, env.CA_FILE, undefined, 10_000, headers),
    httpsJson("GET", `${env.GATEWAY_URL}/v1/auth/me`, env.CA_FILE, undefined, 10_000, headers),
  ]);
  return { "app-a": a.status, "app-b": b.status };
};
const ACCEPTED = { "app-a": 200, "app-b": 200 };
const REFUSED = { "app-a": 401, "app-b": 401 };

describe("rotating the token issuer's signing key under load", () => {
  it("when the next key is published, then signs, then the previous one is removed, then no request fails and old tokens work until they expire", async () => {
    const stateDir = env.stateDir;
    const previousPem = readFileSync(join(stateDir, "jwt-signing-key.pem"), "utf8");
    const nextPemFile = join(mkdtempSync(join(tmpdir(), "next-key-")), "next.pem");
    execFileSync("openssl", ["genpkey", "-algorithm", "ed25519", "-out", nextPemFile]);
    const nextPem = readFileSync(nextPemFile, "utf8");
    const steps: (Step & { deploySeconds?: number; kids?: string[] })[] = [];
    const timeline: Record<string, unknown>[] = [];
    const started = Date.now();
    const note = (what: string, data: Record<string, unknown> = {}) =>
      timeline.push({ s: Math.round((Date.now() - started) / 1000), what, ...data });

    // Short-lived access tokens for the rehearsal (a deploy before the load: the issuer's pods roll).
    expect(
      (await stackConfig(["set", "--path", 'services["app-b"].env.ACCESS_TOKEN_TTL_SECONDS', String(TTL)]))
        .status,
    ).toBe(0);
    await setVerificationKeys([]);
    await up();
    const registered = await httpsJson("POST", `${env.GATEWAY_URL}/v1/auth/register`, env.CA_FILE, account);
    expect(registered.status).toBe(201);
    const kidsBefore = await kids();
    expect(kidsBefore).toHaveLength(1);
    const [previousKid] = kidsBefore;

    const load = startMixedLoad({
      baseUrl: env.GATEWAY_URL,
      caFile: env.CA_FILE,
      connections: 6,
      durationMs: 1_800_000,
      mix: DELIVERY_MIX,
      seed: 11,
    });
    let totals: Result | undefined;
    try {
      await waitForRequests(load, 200, 60_000);

      // 1. Publish the next key.
      let before = load.snapshot();
      const early = await login();
      expect(kidOf(early)).toBe(previousKid);
      const publishSeconds = await upWith(() => setVerificationKeys([nextPem]));
      const published = await kids();
      expect(published).toHaveLength(2);
      const nextKid = published.find((k) => k !== previousKid) ?? "";
      expect(await statuses(early)).toEqual(ACCEPTED);
      steps.push({
        ...stepBetween("1 publish the next key", before, load.snapshot()),
        deploySeconds: publishSeconds,
        kids: published,
      });
      note("published", { kids: published });

      // Past the verifiers' refetch cooldown, then 2. sign with the next key. A token issued just before.
      await sleep(35_000);
      before = load.snapshot();
      const old = await login();
      expect(kidOf(old)).toBe(previousKid);
      note("token issued before the switch", { kid: previousKid, exp: expOf(old) });
      const switchSeconds = await upWith(async () => {
        // From a file on standard input: a PEM's leading dashes would read as a flag on the command line.
        const set = await runAsync("bash", [
          "-c",
          'exec bash "$0" pulumi config set --secret jwtSigningKey <"$1"',
          join(repoRoot, "scripts/cluster/cluster.sh"),
          nextPemFile,
        ]);
        expect(set.status, set.output).toBe(0);
        await setVerificationKeys([previousPem]);
      });
      const fresh = await login();
      expect(kidOf(fresh)).toBe(nextKid);
      expect(await statuses(fresh)).toEqual(ACCEPTED);
      const oldAfterSwitch = await statuses(old);
      note("after the switch", { old: oldAfterSwitch, fresh: ACCEPTED });
      expect(oldAfterSwitch).toEqual(ACCEPTED);
      expect(await kids()).toEqual(published);
      steps.push({
        ...stepBetween("2 sign with the next key", before, load.snapshot()),
        deploySeconds: switchSeconds,
        kids: published,
      });

      // The old token until it expires, then past the verifiers' clock tolerance.
      const expiresAt = (expOf(old) + CLOCK_TOLERANCE) * 1000;
      while (Date.now() < expiresAt - 5_000) {
        expect(await statuses(old)).toEqual(ACCEPTED);
        await sleep(5_000);
      }
      await sleep(Math.max(0, expiresAt - Date.now()) + 2_000);
      const oldExpired = await statuses(old);
      note("token issued before the switch, expired", { statuses: oldExpired });
      expect(oldExpired).toEqual(REFUSED);

      // 3. Remove the previous key.
      before = load.snapshot();
      const removeSeconds = await upWith(() => setVerificationKeys([]));
      const remaining = await kids();
      expect(remaining).toEqual([nextKid]);
      expect(await statuses(await login())).toEqual(ACCEPTED);
      steps.push({
        ...stepBetween("3 remove the previous key", before, load.snapshot()),
        deploySeconds: removeSeconds,
        kids: remaining,
      });
      note("removed", { kids: remaining });
    } finally {
      totals = await load.stop();
      recordResult("key-rotation", { ttlSeconds: TTL, steps, timeline, load: totals });
      console.log(`key rotation: ${JSON.stringify({ steps, timeline }, null, 1)}`);
    }
    expect(totals.failed, JSON.stringify(totals.failures)).toBe(0);
    expect(totals.total).toBeGreaterThan(1000);
    // The local stack's own config again (signing key from the state dir, production token lifetime).
    expect(cluster(["up"]).status).toBe(0);

    async function upWith(configure: () => Promise<void>): Promise<number> {
      await configure();
      return up();
    }
  });
});
