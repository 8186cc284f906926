import type { Request, RequestHandler } from "express";
import type { z } from "zod";
import { AppError } from "./errors.js";
import type { FieldError } from "./errors.js";
import { fieldErrors } from "./problem.js";

/** The schemas a route validates. Objects should be strict (z.strictObject) so unknown fields are a 400. */
export interface RequestSchemas {
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
  readonly headers?: z.ZodType;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What validate() leaves on the request, typed from the same schemas object. */
export interface ValidInput<R extends RequestSchemas> {
  readonly body: Out<R["body"]>;
  readonly query: Out<R["query"]>;
  readonly params: Out<R["params"]>;
  readonly headers: Out<R["headers"]>;
}

const PARTS = ["body", "query", "params", "headers"] as const;

// A WeakMap rather than a new property on Request: no global type augmentation, and nothing leaks past the request.
const validated = new WeakMap<Request, Record<string, unknown>>();

/**
 * Middleware that parses each part of the request with its schema and collects every problem into one 400.
 * Parsed (coerced, defaulted) values are read back with `valid(req, schemas)`.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const result: Record<string, unknown> = {};
    const errors: FieldError[] = [];
    for (const part of PARTS) {
      const schema = schemas[part];
      if (schema === undefined) continue;
      const input: unknown = part === "body" ? (req.body ?? {}) : req[part];
      const parsed = schema.safeParse(input);
      if (parsed.success) result[part] = parsed.data;
      else errors.push(...fieldErrors(parsed.error, part));
    }
    if (errors.length > 0) {
      next(AppError.badRequest("The request is invalid.", errors));
      return;
    }
    validated.set(req, result);
    next();
  };
}

/** The values validate(schemas) parsed for this request. Throws if validate did not run (a wiring bug). */
export function valid<R extends RequestSchemas>(req: Request, _schemas: R): ValidInput<R> {
  const result = validated.get(req);
  if (result === undefined) throw new Error("valid() called on a request that validate() did not check");
  return result as unknown as ValidInput<R>;
}
