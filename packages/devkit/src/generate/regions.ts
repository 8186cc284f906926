/**
 * Generated regions inside hand-written files: the lines between a `BEGIN generated <id>` line and an
 * `END generated <id>` line (in whatever comment syntax the file has) belong to `pnpm generate`.
 */
export function replaceRegion(text: string, id: string, content: string): string {
  const lines = text.split("\n");
  const begin = lines.findIndex((line) => line.includes(`BEGIN generated ${id}`));
  const end = lines.findIndex((line, i) => i > begin && line.includes(`END generated ${id}`));
  if (begin < 0 || end < 0) throw new Error(`no "BEGIN generated ${id}" ... "END generated ${id}" lines`);
  const body = content.endsWith("\n") ? content.slice(0, -1) : content;
  return [...lines.slice(0, begin + 1), ...(body === "" ? [] : body.split("\n")), ...lines.slice(end)].join(
    "\n",
  );
}
