import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startAppProcess, waitFor } from "../src/index.js";

const fake = fileURLToPath(new URL("./fixtures/fake-service.ts", import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startAppProcess", () => {
  it("when the service logs its ports, then url and metricsUrl point at them and /readyz answers", async () => {
    const service = await startAppProcess({ app: "app-a", entry: fake });
    try {
      expect(service.port).toBeGreaterThan(0);
      expect(service.metricsPort).not.toBe(service.port);
      const body = (await (await fetch(`${service.url}/readyz`)).json()) as { pid: number };
      expect(body.pid).toBe(service.pid);
      expect(await (await fetch(`${service.metricsUrl}/metrics`)).text()).toBe("up 1\n");
    } finally {
      await service.stop();
    }
  });

  it("when stopped with SIGTERM, then it resolves with exit code 0 and the logs hold the shutdown line", async () => {
    const service = await startAppProcess({ app: "app-b", entry: fake });
    expect(await service.stop("SIGTERM")).toBe(0);
    expect(service.logs().some((line) => line.includes('"stopped"'))).toBe(true);
    expect(alive(service.pid)).toBe(false);
  });

  it("when killed, then the exit code reports SIGKILL (137)", async () => {
    const service = await startAppProcess({ app: "app-a", entry: fake });
    service.kill();
    expect(await service.exited).toBe(137);
  });

  it("when the process exits during start-up, then the error quotes its output instead of timing out", async () => {
    await expect(
      startAppProcess({ app: "app-a", entry: fake, env: { FAKE_EXIT_EARLY: "1" } }),
    ).rejects.toThrow(/app-a exited early \(code 3[\s\S]*MONGODB_URI is invalid/);
  });

  it("when LOG_LEVEL would hide the listening line, then it refuses at once", async () => {
    await expect(startAppProcess({ app: "app-a", entry: fake, env: { LOG_LEVEL: "warn" } })).rejects.toThrow(
      /LOG_LEVEL info/,
    );
  });

  it("when the app has not been built, then the error says how to build it", async () => {
    await expect(startAppProcess({ app: "app-a", entry: "/nonexistent/dist/main.js" })).rejects.toThrow(
      /build it first \(pnpm turbo run build --filter=app-a\)/,
    );
  });

  it("when the harness is killed with SIGKILL, then the service it started dies too (no orphans)", async () => {
    const parent = spawn(
      process.execPath,
      [fileURLToPath(new URL("./fixtures/orphan-parent.ts", import.meta.url))],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    parent.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const pid = await waitFor(() => /"pid":(\d+)/.exec(output)?.[1], { description: "child pid" }).then(
      Number,
    );
    try {
      expect(alive(pid)).toBe(true);
      parent.kill("SIGKILL");
      await waitFor(() => !alive(pid), { timeoutMs: 5_000, description: `pid ${pid} to die` });
    } finally {
      // If the guard failed, do not leave the orphan behind for the next run.
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
    // Starting a Node parent that starts the service takes ~2 s here, several times that on a loaded machine: the
    // default 5 s made the test fail on load rather than on orphans.
  }, 30_000);
});
