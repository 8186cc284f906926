/**
 * Baseline servers measured in the same run as the services: `node dist/baseline-server.js node-http|express`.
 * Each listens on 127.0.0.1 port 0 and prints one JSON line {"message":"listening","port":N} like the services.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import express from "express";

const BODY = JSON.stringify({ hello: "world" });

function nodeHttp(): Server {
  return createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) });
    res.end(BODY);
  });
}

function expressApp(): Server {
  const app = express();
  app.disable("x-powered-by");
  app.get("/", (_req, res) => {
    res.type("application/json").send(BODY);
  });
  return createServer(app);
}

const kind = process.argv[2];
const server = kind === "express" ? expressApp() : kind === "node-http" ? nodeHttp() : undefined;
if (!server) {
  console.error("usage: baseline-server node-http|express");
  process.exit(2);
}
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ message: "listening", port }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
