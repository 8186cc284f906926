import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A plain HTTP stand-in for the Gateway's routing (infra/ and the devkit's nginx route the same way):
 * `/v1/auth/*` and `/.well-known/*` to the auth service, every other `/v1/*` to the jobs API.
 */
export async function startRouter(
  authPort: number,
  jobsPort: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const port = path.startsWith("/v1/auth/") || path.startsWith("/.well-known/") ? authPort : jobsPort;
    const upstream = request(
      { host: "127.0.0.1", port, path, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
