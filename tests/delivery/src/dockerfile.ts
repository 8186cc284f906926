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

/** The defaults of the `ARG`s declared before the first `FROM` (the ones a `FROM` line may use). */
export function globalArgs(instructions: readonly Instruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const { keyword, args: text } of instructions) {
    if (keyword === "FROM") break;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(text);
    if (keyword === "ARG" && match?.[1] !== undefined && match[2] !== undefined) args.set(match[1], match[2]);
  }
  return args;
}

/** A `FROM` instruction's arguments with `${NAME}`/`$NAME` replaced by the global ARG defaults. */
export function fromArgs(instructions: readonly Instruction[], from: Instruction): string {
  const args = globalArgs(instructions);
  return from.args.replace(
    /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
    (whole, name: string) => args.get(name) ?? whole,
  );
}

/** Every `FROM` image reference (ARG defaults resolved) that is not an earlier stage name. */
export function baseImages(instructions: readonly Instruction[]): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword !== "FROM") continue;
    const resolved = fromArgs(instructions, instruction);
    const [image, as, stage] = resolved.replace(/^--platform=\S+\s+/, "").split(/\s+/);
    if (image !== undefined && !stages.has(image)) images.push(image);
    if (as?.toUpperCase() === "AS" && stage !== undefined) stages.add(stage);
  }
  return images;
}
