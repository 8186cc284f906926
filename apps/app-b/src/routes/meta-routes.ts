import { jsonResponse } from "@platform/shared";
import type { OpenApi } from "@platform/shared";
import { Router } from "express";
import type { KeyStore } from "../domain/keys.js";
import { JwksResponse } from "./schemas.js";

/**
 * Resource servers cache the key set; five minutes bounds how long a newly added key can be unknown to them
 * (they also refetch on an unknown kid), which is why a new key is published before it starts signing.
 */
const JWKS_MAX_AGE_SECONDS = 300;

/** GET /.well-known/jwks.json and GET /openapi.json. */
export function metaRoutes({ keys, openapi }: { keys: KeyStore; openapi: OpenApi }): Router {
  const router = Router();
  openapi.route(router, {
    method: "get",
    path: "/.well-known/jwks.json",
    operationId: "jwks",
    summary: "Public keys that verify access tokens",
    tags: ["keys"],
    responses: { 200: jsonResponse("JSON Web Key Set (Ed25519).", JwksResponse) },
    handler: (_input, _req, res) => {
      res.set("Cache-Control", `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json(keys.jwks);
    },
  });
  router.get("/openapi.json", (_req, res) => {
    res.json(openapi.document());
  });
  return router;
}
