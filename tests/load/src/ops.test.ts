import { describe, expect, it } from "vitest";
import type { Reply } from "./http.js";
import { seededRandom } from "./mix.js";
import { planOp } from "./ops.js";
import { LoadState } from "./state.js";

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: JSON.stringify(body),
});
const tokens = (n: number) => ({
  accessToken: `a${n}`,
  refreshToken: `r${n}`,
  tokenType: "Bearer",
  expiresIn: 900,
});

/** A state with one logged-in user, as after setup. */
function loggedIn(now = () => 0): LoadState {
  const state = new LoadState(seededRandom(1), 0, now);
  expect(planOp("register", state).accept(reply(201, { id: "u1" }))).toBeUndefined();
  expect(planOp("get", state).accept(reply(200, tokens(1)))).toBeUndefined();
  return state;
}

describe("planning a request", () => {
  it("when no user exists yet, then any op becomes a register, and the next one logs that user in", () => {
    const state = new LoadState(seededRandom(1), 0);
    const first = planOp("get", state);
    expect(first).toMatchObject({ op: "register", method: "POST", path: "/v1/auth/register", expect: 201 });
    first.accept(reply(201, { id: "u1" }));
    expect(planOp("list", state)).toMatchObject({ op: "login", expect: 200 });
  });

  it("when a refresh token was handed out, then it is never handed out again, even if its request failed", () => {
    const state = loggedIn();
    const refresh = planOp("refresh", state);
    expect(refresh).toMatchObject({ op: "refresh", json: { refreshToken: "r1" } });
    // The refresh failed (its accept is never called): the next refresh has no token left, so it logs in instead.
    expect(planOp("refresh", state)).toMatchObject({ op: "login" });
  });

  it("when a job is being changed, then no other request gets it, and a stale If-Match expects 412", () => {
    const state = loggedIn();
    planOp("create", state).accept(reply(201, { id: "j1" }, { etag: '"1"' }));
    const update = planOp("update", state);
    expect(update).toMatchObject({ op: "update", headers: { "if-match": '"1"' }, expect: 200 });
    expect(planOp("delete", state)).toMatchObject({ op: "create" }); // j1 is checked out
    expect(update.accept(reply(200, {}, { etag: '"2"' }))).toBeUndefined();
    expect(planOp("update-stale", state)).toMatchObject({ headers: { "if-match": '"1"' }, expect: 412 });
  });

  it("when an update's answer carries no higher ETag, then it is a failure and the job is not reused", () => {
    const state = loggedIn();
    planOp("create", state).accept(reply(201, { id: "j1" }, { etag: '"3"' }));
    expect(planOp("update", state).accept(reply(200, {}, { etag: '"3"' }))).toMatch(/ETag not above/);
    expect(planOp("update", state)).toMatchObject({ op: "create" });
  });

  it("when the access token nears its expiry, then the next request renews it first", () => {
    let now = 0;
    const state = loggedIn(() => now);
    expect(planOp("get", state).op).toBe("create"); // no read-only jobs yet: create one
    now = 900 * 800 + 1; // 80% of the 900 s lifetime
    expect(planOp("get", state)).toMatchObject({ op: "refresh", json: { refreshToken: "r1" } });
  });
});
