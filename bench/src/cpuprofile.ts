/**
 * Summarises a V8 .cpuprofile (written by `node --cpu-prof`): self time per function and per package, so hot
 * paths can be compared before and after a change without opening DevTools.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface SelfTime {
  readonly key: string;
  readonly ms: number;
  readonly percent: number;
}

/** Where a frame comes from: the npm package, node: internals, V8 pseudo-frames, or the workspace package. */
export function packageOf(url: string): string {
  if (url === "") return "(native/V8)";
  if (url.startsWith("node:")) return "node:internals";
  const marker = "node_modules/";
  const at = url.lastIndexOf(marker);
  if (at >= 0) {
    const rest = url.slice(at + marker.length).split("/");
    const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1] ?? ""}` : (rest[0] ?? "?");
    return name === ".pnpm" ? "?" : name;
  }
  const ws = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return ws ? `${ws[1]}/${ws[2]}` : url;
}

function shortUrl(url: string): string {
  const at = url.lastIndexOf("node_modules/");
  if (at >= 0) return url.slice(at + "node_modules/".length);
  const ws = /\/((apps|packages)\/.*)$/.exec(url);
  return ws?.[1] ?? url.replace(/^file:\/\//, "");
}

/** Self time per key, highest first. `by` chooses function-level or package-level grouping. */
export function selfTimes(profile: CpuProfile, by: "function" | "package"): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const f = node.callFrame;
    const key =
      by === "package"
        ? packageOf(f.url)
        : `${f.functionName || "(anonymous)"} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ""}`.trim();
    totals.set(key, (totals.get(key) ?? 0) + dt);
    all += dt;
  });
  return [...totals.entries()]
    .map(([key, us]) => ({ key, ms: us / 1000, percent: all > 0 ? (100 * us) / all : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

export function formatSelfTimes(rows: readonly SelfTime[], top: number): string {
  return rows
    .slice(0, top)
    .map((r) => `${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.key}`)
    .join("\n");
}
