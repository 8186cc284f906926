/**
 * Each operation as one HTTP request: what to send, the one status that counts as success, the checks on the
 * body, and what the answer changes in the load's state. `planOp` turns the op the mix picked into a request the
 * state can serve (no user yet: register; no job to change: create; a token near expiry: renew it first).
 */
import { buildJob } from "@platform/devkit";
import type { Method, Reply } from "./http.js";
import { headerValue } from "./http.js";
import type { Op } from "./mix.js";
import { LoadState } from "./state.js";
import type { JobRef, LoadUser, TokenPair } from "./state.js";

export interface Plan {
  readonly op: Op;
  readonly method: Method;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  /** The only status that counts as success. */
  readonly expect: number;
  /**
   * Checks an expected response and applies it to the state; returns what is wrong with it, if anything. Not
   * called when the request failed: what it had checked out (a job, a refresh token) is then forgotten, since its
   * state on the server is unknown.
   */
  accept(reply: Reply): string | undefined;
}

const bearer = (user: LoadUser) => ({ authorization: `Bearer ${user.accessToken ?? ""}` });

function parseJson(reply: Reply): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(reply.body);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The version in a strong ETag such as `"3"`. */
function etagVersion(reply: Reply): number | undefined {
  const match = /^"([1-9][0-9]*)"$/.exec(headerValue(reply, "etag") ?? "");
  return match ? Number(match[1]) : undefined;
}

function tokensOf(reply: Reply): TokenPair | undefined {
  const body = parseJson(reply);
  const { accessToken, refreshToken, expiresIn } = body ?? {};
  if (typeof accessToken !== "string" || typeof refreshToken !== "string" || typeof expiresIn !== "number") {
    return undefined;
  }
  return { accessToken, refreshToken, expiresIn };
}

function register(state: LoadState): Plan {
  const credentials = LoadState.newCredentials();
  return {
    op: "register",
    method: "POST",
    path: "/v1/auth/register",
    json: credentials,
    expect: 201,
    accept(reply) {
      const id = parseJson(reply)?.id;
      if (typeof id !== "string") return "no user id in the body";
      state.addUser(credentials.email, credentials.password, id);
      return undefined;
    },
  };
}

function login(state: LoadState, user: LoadUser): Plan {
  return {
    op: "login",
    method: "POST",
    path: "/v1/auth/login",
    json: { email: user.email, password: user.password },
    expect: 200,
    accept(reply) {
      const tokens = tokensOf(reply);
      if (!tokens) return "no token pair in the body";
      state.applyTokens(user, tokens);
      return undefined;
    },
  };
}

/** Rotates one refresh token; on failure the token is dropped, since the server may have used it already. */
function refresh(state: LoadState, user: LoadUser, refreshToken: string): Plan {
  return {
    op: "refresh",
    method: "POST",
    path: "/v1/auth/refresh",
    json: { refreshToken },
    expect: 200,
    accept(reply) {
      const tokens = tokensOf(reply);
      if (!tokens) return "no token pair in the body";
      state.applyTokens(user, tokens);
      return undefined;
    },
  };
}

/** A refresh when the user has a session to rotate, else a login. */
function renew(state: LoadState, user: LoadUser): Plan {
  const token = state.takeRefreshToken(user);
  return token === undefined ? login(state, user) : refresh(state, user, token);
}

function me(user: LoadUser): Plan {
  return {
    op: "me",
    method: "GET",
    path: "/v1/auth/me",
    headers: bearer(user),
    expect: 200,
    accept: (reply) => (parseJson(reply)?.id === user.id ? undefined : `not the account ${user.id}`),
  };
}

function list(user: LoadUser): Plan {
  return {
    op: "list",
    method: "GET",
    path: "/v1/jobs?limit=20",
    headers: bearer(user),
    expect: 200,
    accept: (reply) => (Array.isArray(parseJson(reply)?.items) ? undefined : "no items array in the body"),
  };
}

function get(user: LoadUser, id: string): Plan {
  return {
    op: "get",
    method: "GET",
    path: `/v1/jobs/${id}`,
    headers: bearer(user),
    expect: 200,
    accept: (reply) => (parseJson(reply)?.id === id ? undefined : `not the job ${id}`),
  };
}

function create(state: LoadState, user: LoadUser): Plan {
  return {
    op: "create",
    method: "POST",
    path: "/v1/jobs",
    headers: bearer(user),
    json: buildJob({ title: `Load job ${state.next()}` }),
    expect: 201,
    accept(reply) {
      const id = parseJson(reply)?.id;
      const version = etagVersion(reply);
      if (typeof id !== "string" || version === undefined) return "no job id or ETag";
      state.addJob({ id, version, owner: user });
      return undefined;
    },
  };
}

function update(state: LoadState, job: JobRef): Plan {
  return {
    op: "update",
    method: "PATCH",
    path: `/v1/jobs/${job.id}`,
    headers: { ...bearer(job.owner), "if-match": `"${job.version}"` },
    json: { title: `Load job ${state.next()}`, status: job.version % 2 === 0 ? "open" : "closed" },
    expect: 200,
    accept(reply) {
      const version = etagVersion(reply);
      if (version === undefined || version <= job.version) return `ETag not above "${job.version}"`;
      job.version = version;
      state.returnJob(job);
      return undefined;
    },
  };
}

/** A change based on a version the job no longer (or never) had: the one place 412 is the right answer. */
function updateStale(state: LoadState, job: JobRef): Plan {
  const stale = job.version > 1 ? job.version - 1 : job.version + 1;
  return {
    op: "update-stale",
    method: "PATCH",
    path: `/v1/jobs/${job.id}`,
    headers: { ...bearer(job.owner), "if-match": `"${stale}"` },
    json: { title: "never written" },
    expect: 412,
    accept() {
      state.returnJob(job);
      return undefined;
    },
  };
}

function remove(job: JobRef): Plan {
  return {
    op: "delete",
    method: "DELETE",
    path: `/v1/jobs/${job.id}`,
    headers: { ...bearer(job.owner), "if-match": `"${job.version}"` },
    expect: 204,
    accept: () => undefined,
  };
}

/** The request to send for the op the mix picked, given what the state can serve right now. */
export function planOp(wanted: Op, state: LoadState): Plan {
  if (wanted === "register") return register(state);
  const user = state.activeUser();
  if (!user) {
    const pending = state.pendingUser();
    return pending ? login(state, pending) : register(state);
  }
  if (state.isStale(user)) return renew(state, user);
  switch (wanted) {
    case "login":
      return login(state, state.pendingUser() ?? user);
    case "refresh":
      return renew(state, user);
    case "me":
      return me(user);
    case "list":
      return list(user);
    case "get": {
      const id = state.seedJob();
      return id === undefined ? create(state, user) : get(user, id);
    }
    case "create":
      return create(state, user);
    case "update":
    case "update-stale":
    case "delete": {
      const job = state.takeJob();
      if (!job) return create(state, user);
      if (state.isStale(job.owner)) {
        state.returnJob(job);
        return renew(state, job.owner);
      }
      if (wanted === "update") return update(state, job);
      return wanted === "delete" ? remove(job) : updateStale(state, job);
    }
  }
}
