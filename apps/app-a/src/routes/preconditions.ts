/**
 * Optimistic concurrency over HTTP: a job's ETag is its version in quotes, and a change must name the version it
 * was based on in If-Match (RFC 9110 section 13.1.1). Only strong comparison applies to If-Match, so weak tags
 * (W/"3") never match.
 */

import { AppError } from "@platform/shared";
import type { Precondition } from "../domain/job.js";

export function etagFor(version: number): string {
  return `"${version}"`;
}

export type IfMatch =
  | Precondition
  /** Not an entity-tag list at all: a 400. */
  | { readonly kind: "invalid" };

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e]*)"$/;
const VERSION = /^[1-9][0-9]{0,14}$/;
const MAX_TAGS = 20;

export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined) return { kind: "missing" };
  const trimmed = header.trim();
  if (trimmed === "*") return { kind: "any" };
  const tags = trimmed.split(",").map((part) => part.trim());
  if (tags.length > MAX_TAGS) return { kind: "invalid" };
  const versions: number[] = [];
  for (const tag of tags) {
    const match = ENTITY_TAG.exec(tag);
    if (!match) return { kind: "invalid" };
    const [, weak, opaque = ""] = match;
    // A well-formed tag that is weak or not one of our versions is legal but can never match.
    if (weak === undefined && VERSION.test(opaque)) versions.push(Number(opaque));
  }
  return { kind: "versions", versions };
}

/** The precondition an If-Match header states, for the domain; a header that is not an entity-tag list is a 400. */
export function preconditionFrom(header: string | undefined): Precondition {
  const ifMatch = parseIfMatch(header);
  if (ifMatch.kind === "invalid") throw AppError.badRequest("If-Match is not a list of entity tags");
  return ifMatch;
}
