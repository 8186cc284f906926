import { reportStartupFailure } from "@platform/shared";
import { loadConfig } from "./env.js";
import { startService } from "./service.js";

// The entry point: the wiring lives in service.ts, so tests start the very same service.
try {
  await startService(loadConfig());
} catch (error) {
  reportStartupFailure("app-a", error);
}
