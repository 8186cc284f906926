/**
 * The read path's floors, measured in the same run as app-a: `node dist/raw-driver-server.js [node-http|express]`
 * serves GET /v1/jobs/<24 hex> with the official driver (one findOne by _id, the document as JSON) from the
 * collection app-a writes to, with nothing else: no auth, validation, headers, logging or metrics.
 * - `node-http` (the default, the efficiency baseline): a bare node:http listener.
 * - `express`: the same read as one Express route answered with `res.json`, nothing mounted before it: what the
 *   framework alone costs, so a report splits app-a's distance from the raw driver into Express's share and the
 *   share of what app-a adds (docs/benchmarks.md, read path).
 * Reads MONGODB_URI and MONGODB_DB; listens on 127.0.0.1 port 0 and prints {"message":"listening","port":N}.
 */
import { createServer } from "node:http";
import type { RequestListener, ServerResponse } from "node:http";
import express from "express";
import { MongoClient, ObjectId } from "mongodb";
import type { Document } from "mongodb";

const uri = process.env.MONGODB_URI;
const dbName = process.env.MONGODB_DB;
const kind = process.argv[2] ?? "node-http";
if (!uri || !dbName || (kind !== "node-http" && kind !== "express")) {
  console.error("usage: MONGODB_URI=... MONGODB_DB=... node raw-driver-server.js [node-http|express]");
  process.exit(2);
}

// The pool size app-a uses (packages/shared/src/mongo.ts), so both wait on the database the same way.
const client = new MongoClient(uri, { appName: `bench-raw-driver-${kind}`, maxPoolSize: 20 });
const jobs = client.db(dbName).collection("jobs");
const findJob = (hexId: string): Promise<Document | null> =>
  jobs.findOne({ _id: ObjectId.createFromHexString(hexId) });
const JOB_PATH = /^\/v1\/jobs\/([0-9a-f]{24})$/;
const HEX_ID = /^[0-9a-f]{24}$/;
const NOT_FOUND = '{"error":"not found"}';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function nodeHttp(): RequestListener {
  return (req, res) => {
    const id = JOB_PATH.exec(req.url ?? "")?.[1];
    if (req.method !== "GET" || id === undefined) {
      send(res, 404, NOT_FOUND);
      return;
    }
    findJob(id).then(
      (doc) => {
        if (doc) send(res, 200, JSON.stringify(doc));
        else send(res, 404, NOT_FOUND);
      },
      (error: unknown) => {
        send(res, 500, JSON.stringify({ error: String(error) }));
      },
    );
  };
}

function expressApp(): RequestListener {
  const app = express();
  app.disable("x-powered-by");
  app.get("/v1/jobs/:id", async (req, res) => {
    const doc = HEX_ID.test(req.params.id) ? await findJob(req.params.id) : null;
    if (doc) res.json(doc);
    else res.status(404).type("application/json").send(NOT_FOUND);
  });
  return app;
}

const server = createServer(kind === "express" ? expressApp() : nodeHttp());
server.keepAliveTimeout = 65_000;

await client.connect();
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ message: "listening", port }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeIdleConnections();
  void client.close().then(() => process.exit(0));
});
