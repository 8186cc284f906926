/** One Dockerfile instruction with continuation lines joined, e.g. { keyword: "RUN", args: "pnpm install" }. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Splits a Dockerfile into instructions: comments dropped, `\` continuations joined with single spaces. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && pending === undefined)) return;
    const continues = trimmed.endsWith("\\");
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending ??= { parts: [], line: index + 1 };
    if (part !== "") pending.parts.push(part);
    if (continues) return;
    const joined = pending.parts.join(" ");
    const space = joined.search(/\s/);
    instructions.push({
      keyword: (space === -1 ? joined : joined.slice(0, space)).toUpperCase(),
      args: space === -1 ? "" : joined.slice(space + 1).trim(),
      line: pending.line,
    });
    pending = undefined;
  });
  return instructions;
}

/** A RUN instruction's shell command without BuildKit flags such as `--mount=type=cache,...`. */
export function runCommand(args: string): string {
  return args.replace(/^(--[a-z-]+=\S+\s+)+/, "").trim();
}

/** Every `FROM` image reference that is not an earlier stage name. */
export function baseImages(instructions: readonly Instruction[]): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const { keyword, args } of instructions) {
    if (keyword !== "FROM") continue;
    const [image, as, stage] = args.replace(/^--platform=\S+\s+/, "").split(/\s+/);
    if (image !== undefined && !stages.has(image)) images.push(image);
    if (as?.toUpperCase() === "AS" && stage !== undefined) stages.add(stage);
  }
  return images;
}
