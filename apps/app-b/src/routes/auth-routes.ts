import { authOf, jsonResponse, problemResponse, requireAuth } from "@platform/shared";
import type { Link, TokenVerifier, OpenApi } from "@platform/shared";
import { Router } from "express";
import type { Request, Response } from "express";
import type { Accounts } from "../domain/accounts.js";
import type { Sessions } from "../domain/sessions.js";
import type { TokenPair } from "../domain/tokens.js";
import {
  DeleteAccountBody,
  LoginBody,
  LogoutBody,
  RefreshBody,
  RegisterBody,
  TokenResponse,
  toUserView,
  UserResponse,
} from "./schemas.js";

export interface AuthRoutesDeps {
  readonly accounts: Accounts;
  readonly sessions: Sessions;
  readonly verifier: TokenVerifier;
  readonly openapi: OpenApi;
}

const tags = ["auth"];

/**
 * OpenAPI links, which Schemathesis's stateful phase follows: an account just registered logs in with the same
 * credentials, and a token pair's refresh token is rotated or revoked next.
 */
const loginLinks: Record<string, Link> = {
  login: {
    operationId: "login",
    requestBody: { email: "$request.body#/email", password: "$request.body#/password" },
  },
};
const refreshTokenLinks: Record<string, Link> = {
  refresh: { operationId: "refresh", requestBody: { refreshToken: "$response.body#/refreshToken" } },
  logout: { operationId: "logout", requestBody: { refreshToken: "$response.body#/refreshToken" } },
};

/** The client address the throttles count by: `req.ip`, which honours TRUST_PROXY. */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

/** Token responses must not be cached by browsers or proxies (RFC 6749 5.1). */
function sendTokens(res: Response, pair: TokenPair): void {
  res.set("Cache-Control", "no-store").json(pair);
}

/** HTTP mapping for /v1/auth/*: parse, call the domain, shape the response. */
export function authRoutes({ accounts, sessions, verifier, openapi }: AuthRoutesDeps): Router {
  const router = Router();

  openapi.route(router, {
    method: "post",
    path: "/v1/auth/register",
    operationId: "register",
    summary: "Create an account",
    tags,
    request: { body: RegisterBody },
    responses: {
      201: { ...jsonResponse("The new account.", UserResponse), links: loginLinks },
      400: problemResponse("Invalid email or password policy not met."),
      409: problemResponse("An account with this email already exists."),
      429: problemResponse("Too many registrations from this client; see Retry-After."),
    },
    handler: async ({ body }, req, res) => {
      res.status(201).json(toUserView(await accounts.register(body, clientAddress(req))));
    },
  });

  openapi.route(router, {
    method: "post",
    path: "/v1/auth/login",
    operationId: "login",
    summary: "Exchange email and password for a token pair",
    tags,
    request: { body: LoginBody },
    responses: {
      200: { ...jsonResponse("Access and refresh token.", TokenResponse), links: refreshTokenLinks },
      401: problemResponse("Email or password incorrect (the same answer for both)."),
      429: problemResponse("Too many failed attempts for this account or client; see Retry-After."),
    },
    handler: async ({ body }, req, res) => {
      sendTokens(res, await accounts.login(body, clientAddress(req)));
    },
  });

  openapi.route(router, {
    method: "post",
    path: "/v1/auth/refresh",
    operationId: "refresh",
    summary: "Rotate a refresh token",
    description: "Each refresh token works once. Presenting a used token revokes every token of its login.",
    tags,
    request: { body: RefreshBody },
    responses: {
      200: { ...jsonResponse("A new access and refresh token.", TokenResponse), links: refreshTokenLinks },
      401: problemResponse("Invalid, expired, revoked or reused refresh token."),
    },
    handler: async ({ body }, _req, res) => {
      sendTokens(res, await sessions.rotateRefreshToken(body.refreshToken));
    },
  });

  openapi.route(router, {
    method: "post",
    path: "/v1/auth/logout",
    operationId: "logout",
    summary: "Revoke a refresh token and every token rotated from the same login",
    tags,
    request: { body: LogoutBody },
    responses: { 204: { description: "Revoked (also when the token was unknown)." } },
    handler: async ({ body }, _req, res) => {
      await sessions.logout(body.refreshToken);
      res.status(204).end();
    },
  });

  openapi.route(router, {
    method: "get",
    path: "/v1/auth/me",
    operationId: "currentUser",
    summary: "The account the access token belongs to",
    tags,
    security: [],
    middleware: [requireAuth(verifier)],
    responses: {
      200: jsonResponse("The account.", UserResponse),
      401: problemResponse("Missing, invalid or expired access token."),
    },
    handler: async (_input, _req, res) => {
      res.set("Cache-Control", "no-store").json(toUserView(await accounts.currentUser(authOf(res).sub)));
    },
  });

  openapi.route(router, {
    method: "delete",
    path: "/v1/auth/me",
    operationId: "deleteAccount",
    summary: "Delete the account the access token belongs to",
    description:
      "Needs the account's password as confirmation (counted by the login throttle). Ends every session of the " +
      "account, then deletes it; access tokens already issued stay valid until they expire.",
    tags,
    security: [],
    middleware: [requireAuth(verifier)],
    request: { body: DeleteAccountBody },
    responses: {
      204: { description: "Deleted; the email can be registered again." },
      400: problemResponse("Invalid body."),
      401: problemResponse("Missing, invalid or expired access token, or the account is already gone."),
      403: problemResponse("The password is incorrect."),
      429: problemResponse("Too many failed password checks; see Retry-After."),
    },
    handler: async ({ body }, req, res) => {
      await accounts.deleteAccount(authOf(res).sub, body.password, clientAddress(req));
      res.status(204).end();
    },
  });

  return router;
}
