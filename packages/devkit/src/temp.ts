import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Temp dirs carry the owner's pid (devkit-<kind>-<pid>-XXXXXX). Test runners may end a worker without an 'exit'
// event, so besides removing ours at exit, each process sweeps dirs whose owner is gone.
const PREFIX = "devkit-";
const owned = new Set<string>();
let installed = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sweepStale(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(/^devkit-[a-z]+-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid))
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** A fresh temp dir removed when this process exits (`keep` dirs are removed only by the caller). */
export function makeTempDir(kind: string): string {
  if (!installed) {
    installed = true;
    sweepStale();
    process.on("exit", () => {
      for (const dir of owned) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${kind}-${process.pid}-`));
  owned.add(dir);
  return dir;
}

/** Removes a dir made by `makeTempDir` now. */
export function removeTempDir(dir: string): void {
  owned.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}
