/**
 * Mixed read/write load on app-a and app-b through one base URL (the local ingress, or the cluster's Gateway):
 * a few users registered and logged in first, then `connections` keep-alive connections each sending one request
 * at a time, picked from a weighted mix, until the request budget or the time limit is spent or `stop()` is called.
 * Every response is checked against the one status its operation expects; anything else, a connection error or a
 * timeout is counted as a failure, never thrown and never retried.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, describeError, errorKind, headerValue } from "./http.js";
import type { Client, TargetOptions } from "./http.js";
import { APP_OF, DEFAULT_MIX, opPicker, seededRandom } from "./mix.js";
import type { Op } from "./mix.js";
import { planOp } from "./ops.js";
import type { Plan } from "./ops.js";
import { Recorder } from "./result.js";
import type { Result } from "./result.js";
import { LoadState } from "./state.js";

export interface SetupOptions {
  /** Users registered and logged in before the mix starts (default 4). */
  readonly users?: number;
  /** Jobs created for `get` to read, never changed (default 20). */
  readonly jobs?: number;
}

export interface MixedLoadOptions extends TargetOptions {
  /** Requests in all, setup included. At least one of `requests` and `durationMs`; the other gets its maximum. */
  readonly requests?: number;
  /** Time limit of the run, setup included (ms). */
  readonly durationMs?: number;
  /** Paces requests to at most this rate over all connections; default as fast as the answers come. */
  readonly ratePerSecond?: number;
  readonly setup?: SetupOptions;
  /** Relative weights of the operations (default `DEFAULT_MIX`); ops left out are not picked. */
  readonly mix?: Partial<Record<Op, number>>;
  /** Seed of the operation sequence (default: random). */
  readonly seed?: number;
}

/** A run in the background, e.g. while another process deploys. */
export interface RunningLoad {
  /** Counts so far. */
  snapshot(): Result;
  /** Ends the run after the requests in flight (bounded by their timeout) and resolves with the totals. */
  stop(): Promise<Result>;
  /** Resolves with the totals when the run ends by itself (or by `stop()`). */
  readonly done: Promise<Result>;
}

export const MAX_REQUESTS = 10_000_000;
export const MAX_DURATION_MS = 2 * 60 * 60 * 1000;
const MAX_CONNECTIONS = 1024;

interface Limits {
  readonly requests: number;
  readonly durationMs: number;
  readonly intervalMs: number;
}

function limitsOf(options: MixedLoadOptions): Limits {
  const { requests, durationMs, ratePerSecond, connections } = options;
  if (requests === undefined && durationMs === undefined) {
    throw new Error("a load needs a bound: requests or durationMs");
  }
  const inRange = (name: string, value: number, max: number) => {
    if (!Number.isFinite(value) || value <= 0 || value > max) {
      throw new Error(`${name} must be > 0 and <= ${max}, got ${value}`);
    }
    return value;
  };
  inRange("connections", connections, MAX_CONNECTIONS);
  if (!Number.isInteger(connections)) throw new Error(`connections must be an integer, got ${connections}`);
  return {
    requests: inRange("requests", requests ?? MAX_REQUESTS, MAX_REQUESTS),
    durationMs: inRange("durationMs", durationMs ?? MAX_DURATION_MS, MAX_DURATION_MS),
    intervalMs: ratePerSecond === undefined ? 0 : 1000 / inRange("ratePerSecond", ratePerSecond, 1_000_000),
  };
}

async function send(client: Client, recorder: Recorder, plan: Plan): Promise<void> {
  const label = `${plan.method} ${plan.path}`;
  const started = performance.now();
  try {
    const options = {
      ...(plan.headers ? { headers: plan.headers } : {}),
      ...(plan.json === undefined ? {} : { json: plan.json }),
    };
    const reply = await client.send(plan.method, plan.path, options);
    const ms = performance.now() - started;
    recorder.response(APP_OF[plan.op], reply.status, headerValue(reply, "x-app-version"));
    if (reply.status !== plan.expect) {
      const reason = `${label}: expected ${plan.expect}, got ${reply.status}: ${reply.body.slice(0, 200)}`;
      recorder.fail(plan.op, ms, `status ${reply.status}`, reason);
      return;
    }
    const problem = plan.accept(reply);
    if (problem === undefined) recorder.ok(plan.op, ms);
    else recorder.fail(plan.op, ms, "unexpected body", `${label}: ${problem}: ${reply.body.slice(0, 200)}`);
  } catch (error) {
    recorder.fail(
      plan.op,
      performance.now() - started,
      errorKind(error),
      `${label}: ${describeError(error)}`,
    );
  }
}

export function startMixedLoad(options: MixedLoadOptions): RunningLoad {
  const limits = limitsOf(options);
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const pick = opPicker(options.mix ?? DEFAULT_MIX, random);
  const users = options.setup?.users ?? 4;
  const jobs = options.setup?.jobs ?? 20;
  const state = new LoadState(random, jobs);
  const recorder = new Recorder();
  const client = createClient(options);
  const startedAt = performance.now();
  const deadline = startedAt + limits.durationMs;
  const stopped = new AbortController();
  let claimed = 0;

  /** Takes the next request of the budget and waits for its slot in the pace; false once the run is over. */
  const claim = async (): Promise<boolean> => {
    if (stopped.signal.aborted || claimed >= limits.requests || performance.now() >= deadline) return false;
    const slot = claimed++;
    if (limits.intervalMs > 0) {
      const at = startedAt + slot * limits.intervalMs;
      if (at >= deadline) return false;
      await sleep(Math.max(0, at - performance.now()), undefined, { signal: stopped.signal }).catch(
        () => undefined,
      );
    }
    return !stopped.signal.aborted;
  };
  /** Sends one request of `op` (as the state can serve it); false once the run is over. */
  const sendOp = async (op: Op): Promise<boolean> => {
    if (!(await claim())) return false;
    await send(client, recorder, planOp(op, state));
    return true;
  };
  /** Runs `body` on up to `connections` concurrent lanes, `times` times in all or until it returns false. */
  const lanes = async (times: number, body: () => Promise<boolean>) => {
    let started = 0;
    const lane = async () => {
      while (started < times) {
        started++;
        if (!(await body())) return;
      }
    };
    await Promise.all(Array.from({ length: Math.min(times, options.connections) }, lane));
  };

  const done = (async () => {
    try {
      // Login right after register logs in a registered user that has no token yet.
      await lanes(users, async () => (await sendOp("register")) && sendOp("login"));
      await lanes(jobs, () => sendOp("create"));
      await lanes(MAX_REQUESTS, () => sendOp(pick()));
    } finally {
      await client.close().catch(() => undefined);
    }
    return recorder.result();
  })();
  return {
    snapshot: () => recorder.result(),
    stop: () => {
      stopped.abort();
      return done;
    },
    done,
  };
}

/** Runs a mixed load to its bound and resolves with the totals. */
export function runMixedLoad(options: MixedLoadOptions): Promise<Result> {
  return startMixedLoad(options).done;
}
