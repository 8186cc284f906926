/**
 * Reads a `$GITHUB_OUTPUT` file the way the Actions runner does (its file-command parser): lines separated by
 * `\n` (a trailing `\r` is dropped), empty lines skipped; a line is `NAME=VALUE` when its first `=` comes before
 * any `<<`, `NAME<<DELIMITER` followed by value lines up to a line that is exactly DELIMITER otherwise. Anything
 * else makes the runner fail the step ("Unable to process file command 'output' successfully"), and so does this.
 */
export function parseGithubOutput(text: string): Map<string, string> {
  const lines = text.split("\n").map((line) => line.replace(/\r$/, ""));
  if (lines.at(-1) === "") lines.pop();
  const outputs = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const equals = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      if (name === "") throw new Error(`Invalid format '${line}'. Name must not be empty`);
      outputs.set(name, line.slice(equals + 1));
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === "" || delimiter === "") {
        throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      }
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? "");
      if (i >= lines.length) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
      outputs.set(name, value.join("\n"));
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return outputs;
}

/** Output names a workflow can refer to as `steps.<id>.outputs.<name>`: a letter or `_`, then `[A-Za-z0-9_-]`. */
export const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
