/**
 * The object accesses the real Pulumi CLI makes in a DIY backend, per command, as recorded by
 * fixtures/record-state-paths.sh into fixtures/state-paths.json, made concrete for a project and a stack.
 */
import { readFileSync } from "node:fs";
import type { StateAccess } from "./iam-model.js";

interface Fixture {
  commands: Record<string, string[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL("fixtures/state-paths.json", import.meta.url), "utf8"),
) as Fixture;

/** The commands CI runs against a stack (`preview`, `up --yes`, `refresh --yes`, `stack output`, `destroy --yes`). */
export const COMMANDS = Object.keys(fixture.commands);

/** Every access `command` makes to `<project>/<stack>`'s state, with a lock ID and a timestamp filled in. */
export function accessesOf(command: string, project: string, stack: string): [StateAccess, string][] {
  const lines = fixture.commands[command];
  if (!lines?.length) throw new Error(`no recorded accesses for ${command}`);
  return lines.map((line) => {
    const [access, path] = line.split(" ") as [StateAccess, string];
    return [
      access,
      path
        .replaceAll("<project>", project)
        .replaceAll("<stack>", stack)
        .replaceAll("<id>", "2f1c7e0a-5b7d-4e0e-9c3a-7d2b8f41a6c0")
        .replaceAll("<time>", "1764712800000000000"),
    ];
  });
}
