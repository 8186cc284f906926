/**
 * The read path's floor, measured in the same run as app-a: `node dist/raw-driver-server.js` serves
 * GET /v1/jobs/<24 hex> with node:http and the official driver (one findOne by _id, the document as JSON) from the
 * collection app-a writes to, with nothing else: no auth, validation, headers, logging or metrics. Reads
 * MONGODB_URI and MONGODB_DB; listens on 127.0.0.1 port 0 and prints {"message":"listening","port":N}.
 */
import { createServer } from "node:http";
import type { ServerResponse } from "node:http";
import { MongoClient, ObjectId } from "mongodb";

const uri = process.env.MONGODB_URI;
const dbName = process.env.MONGODB_DB;
if (!uri || !dbName) {
  console.error("usage: MONGODB_URI=... MONGODB_DB=... node raw-driver-server.js");
  process.exit(2);
}

// The pool size app-a uses (packages/shared/src/mongo.ts), so both wait on the database the same way.
const client = new MongoClient(uri, { appName: "bench-raw-driver", maxPoolSize: 20 });
const jobs = client.db(dbName).collection("jobs");
const JOB_PATH = /^\/v1\/jobs\/([0-9a-f]{24})$/;

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer((req, res) => {
  const id = JOB_PATH.exec(req.url ?? "")?.[1];
  if (req.method !== "GET" || id === undefined) {
    send(res, 404, '{"error":"not found"}');
    return;
  }
  jobs.findOne({ _id: ObjectId.createFromHexString(id) }).then(
    (doc) => {
      if (doc) send(res, 200, JSON.stringify(doc));
      else send(res, 404, '{"error":"not found"}');
    },
    (error: unknown) => {
      send(res, 500, JSON.stringify({ error: String(error) }));
    },
  );
});
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
