import type { RequestHandler } from "express";
import { AppError } from "./errors.js";

/**
 * Finds the first object key that starts with "$" anywhere in a parsed JSON value, returning its dotted path.
 * Such keys are MongoDB operators ({"$gt": ""}, {"$where": ...}); no field of ours starts with "$", so their
 * presence means someone is probing for injection. Iterative so a deeply nested body cannot overflow the stack.
 */
export function findMongoOperatorKey(value: unknown): string | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: "" }];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current === undefined || typeof current.value !== "object" || current.value === null) continue;
    if (Array.isArray(current.value)) {
      current.value.forEach((item: unknown, index) => {
        pending.push({ value: item, path: join(current.path, String(index)) });
      });
      continue;
    }
    for (const [key, child] of Object.entries(current.value)) {
      const path = join(current.path, key);
      if (key.startsWith("$")) return path;
      pending.push({ value: child, path });
    }
  }
  return undefined;
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** Rejects request bodies containing MongoDB operator keys with a 400, whatever the route's schema says. */
export function rejectMongoOperators(): RequestHandler {
  return (req, _res, next) => {
    const path = findMongoOperatorKey(req.body);
    if (path === undefined) {
      next();
      return;
    }
    next(
      AppError.badRequest("Field names must not start with '$'.", [
        { path, message: "field names starting with '$' are not allowed" },
      ]),
    );
  };
}
