/** Sends raw bytes over TCP and returns the status line: for requests a well-behaved client cannot produce. */
import { connect } from "node:net";

export async function rawRequest(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.end(bytes));
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text.split("\r\n")[0] ?? "");
    });
  });
}
