import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * On-demand rehearsals on the local cluster (`pnpm --filter cluster-checks rehearse`), not part of `.ci/run`: each
 * takes minutes and shows what an operator does by hand (a signing-key rotation), with its figures in results/.
 * The same one-cluster set-up as the suite; only the files differ.
 */
export default defineConfig({ ...base, test: { ...base.test, include: ["rehearsals/**/*.test.ts"] } });
