import { ConfigError } from "@platform/shared";
import { loadConfig } from "./env.js";
import { startService } from "./service.js";

// The entry point: configuration errors end the process with a message naming the variables; nothing else here.
try {
  await startService(loadConfig());
} catch (error) {
  const message =
    error instanceof ConfigError ? error.message : String(error instanceof Error ? error.stack : error);
  process.stderr.write(
    `${JSON.stringify({ severity: "CRITICAL", message: `app-a failed to start: ${message}` })}\n`,
  );
  process.exit(1);
}
