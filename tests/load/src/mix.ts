/** The operations of the mixed load, which app serves each, and how often each is picked. */

export const OPS = [
  "register",
  "login",
  "refresh",
  "me",
  "list",
  "get",
  "create",
  "update",
  "update-stale",
  "delete",
] as const;

export type Op = (typeof OPS)[number];
export type AppName = "app-a" | "app-b";

/** Which service answers an operation (the Gateway routes /v1/auth/* to app-b, the rest of /v1 to app-a). */
export const APP_OF: Readonly<Record<Op, AppName>> = {
  register: "app-b",
  login: "app-b",
  refresh: "app-b",
  me: "app-b",
  list: "app-a",
  get: "app-a",
  create: "app-a",
  update: "app-a",
  "update-stale": "app-a",
  delete: "app-a",
};

/**
 * Relative weights: reads dominate as in the capacity model (docs/benchmarks.md), writes create slightly more
 * jobs than they delete, logins are few because each costs an Argon2id hash.
 */
export const DEFAULT_MIX: Readonly<Record<Op, number>> = {
  register: 1,
  login: 3,
  refresh: 8,
  me: 6,
  list: 10,
  get: 40,
  create: 12,
  update: 10,
  "update-stale": 2,
  delete: 8,
};

export type Random = () => number;

/** mulberry32: a small seeded generator, so a run's sequence of operations can be repeated. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a picker over the weighted operations; throws when no weight is positive or an op is unknown. */
export function opPicker(mix: Partial<Record<Op, number>>, random: Random): () => Op {
  const entries = Object.entries(mix) as [Op, number][];
  for (const [op, weight] of entries) {
    if (!OPS.includes(op)) throw new Error(`unknown operation in mix: ${op}`);
    if (!Number.isFinite(weight) || weight < 0)
      throw new Error(`weight of ${op} must be >= 0, got ${weight}`);
  }
  const weighted = entries.filter(([, w]) => w > 0);
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  if (total === 0) throw new Error("the mix has no operation with a positive weight");
  const [fallback] = weighted[weighted.length - 1] ?? ["get"];
  return () => {
    let point = random() * total;
    for (const [op, weight] of weighted) {
      point -= weight;
      if (point < 0) return op;
    }
    return fallback; // only reached through floating-point rounding at the very top of the range
  };
}

/** Parses `get=40,list=10,...` (the CLI's --mix); unnamed operations get weight 0. */
export function parseMix(text: string): Partial<Record<Op, number>> {
  const mix: Partial<Record<Op, number>> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = "", weight = ""] = part.split("=");
    if (!OPS.includes(name as Op))
      throw new Error(`unknown operation in --mix: ${name} (one of ${OPS.join(", ")})`);
    mix[name as Op] = Number(weight);
  }
  return mix;
}
