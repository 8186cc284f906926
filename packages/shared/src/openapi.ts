import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { ResponseConfig, RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { Express, Request, RequestHandler, Response, Router } from "express";
import { z } from "zod";
import { linkProblems } from "./openapi-links.js";
import type { Link, LinkedDocument } from "./openapi-links.js";
import { PROBLEM_CONTENT_TYPE } from "./problem.js";
import { valid, validate } from "./validation.js";
import type { RequestSchemas, ValidInput } from "./validation.js";

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;
export type { Link, LinkParameter } from "./openapi-links.js";

export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
}

/** RFC 9457 problem document, as every error response of both services carries it. */
export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: "about:blank" }),
    title: z.string().meta({ example: "Bad Request" }),
    status: z.int().meta({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

/** A response whose body is a problem document; use for documented error statuses. */
export function problemResponse(description: string): ResponseSpec {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

/** A JSON response with the given schema. */
export function jsonResponse(description: string, schema: z.ZodType): ResponseSpec {
  return { description, content: { "application/json": { schema } } };
}

/** A documented response; `links` say which later requests its values feed (checked when the document is built). */
export interface ResponseSpec extends Omit<ResponseConfig, "links"> {
  readonly links?: Readonly<Record<string, Link>>;
}

type Method = "get" | "post" | "put" | "patch" | "delete";

/** One route: its HTTP mapping, its schemas and its documentation in one declaration. */
export interface RouteSpec<R extends RequestSchemas> {
  readonly method: Method;
  /** OpenAPI-style path, e.g. "/v1/jobs/{id}"; Express's ":id" form is derived from it. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: string[];
  readonly operationId?: string;
  /** Scopes the bearer token needs; presence marks the route as authenticated in the document. */
  readonly security?: string[];
  readonly request?: R;
  readonly responses: Record<string, ResponseSpec>;
  /** Runs before validation, e.g. requireAuth, so unauthenticated callers learn nothing about the schema. */
  readonly middleware?: RequestHandler[];
  readonly handler: (input: ValidInput<R>, req: Request, res: Response) => unknown;
}

export interface OpenApi {
  readonly registry: OpenAPIRegistry;
  /** The OpenAPI 3.1 document for everything registered so far; throws if a link names something missing. */
  document(): OpenApiDocument;
  /** Adds a route to the document only (for routes mounted by hand, e.g. health checks). */
  registerRoute<R extends RequestSchemas>(spec: Omit<RouteSpec<R>, "handler" | "middleware">): void;
  /** Documents the route and mounts it on `router` with validation in front of the handler. */
  route<R extends RequestSchemas>(router: Router, spec: RouteSpec<R>): void;
}

/** A service's app that also hands out its OpenAPI document without serving a request (for offline tooling). */
export interface DocumentedApp extends Express {
  openApiDocument(): OpenApiDocument;
}

export const BEARER_SCHEME = "bearerAuth";

/** Turns "/v1/jobs/{id}" into Express's "/v1/jobs/:id". */
export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");
}

function toRouteConfig<R extends RequestSchemas>(
  spec: Omit<RouteSpec<R>, "handler" | "middleware">,
): RouteConfig {
  const request: NonNullable<RouteConfig["request"]> = {};
  const schemas = spec.request;
  if (schemas?.body)
    request.body = { required: true, content: { "application/json": { schema: schemas.body } } };
  if (schemas?.query instanceof z.ZodObject) request.query = schemas.query;
  if (schemas?.params instanceof z.ZodObject) request.params = schemas.params;
  if (schemas?.headers instanceof z.ZodObject) request.headers = schemas.headers;
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    ...(spec.operationId === undefined ? {} : { operationId: spec.operationId }),
    ...(spec.security === undefined ? {} : { security: [{ [BEARER_SCHEME]: spec.security }] }),
    request,
    responses: { ...spec.responses, default: problemResponse("Error (RFC 9457 problem details).") },
  };
}

function checkedLinks(document: OpenApiDocument): OpenApiDocument {
  const problems = linkProblems(document as LinkedDocument);
  if (problems.length > 0) throw new Error(`OpenAPI document has broken links:\n${problems.join("\n")}`);
  return document;
}

export function createOpenApi(options: OpenApiOptions): OpenApi {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  let cached: OpenApiDocument | undefined;

  const registerRoute: OpenApi["registerRoute"] = (spec) => {
    registry.registerPath(toRouteConfig(spec));
    cached = undefined;
  };

  return {
    registry,
    document: () => {
      cached ??= checkedLinks(
        new OpenApiGeneratorV31(registry.definitions).generateDocument({
          openapi: "3.1.0",
          info: {
            title: options.title,
            version: options.version,
            ...(options.description === undefined ? {} : { description: options.description }),
          },
          ...(options.servers === undefined ? {} : { servers: options.servers.map((s) => ({ ...s })) }),
        }),
      );
      return cached;
    },
    registerRoute,
    route: (router, spec) => {
      registerRoute(spec);
      const schemas = spec.request ?? ({} as NonNullable<typeof spec.request>);
      router[spec.method](
        expressPath(spec.path),
        ...(spec.middleware ?? []),
        validate(schemas),
        async (req, res) => {
          await spec.handler(valid(req, schemas), req, res);
        },
      );
    },
  };
}
