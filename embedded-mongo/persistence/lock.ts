import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Two stores writing one journal would destroy it: the second one is refused with this. */
export class DataDirInUse extends Error {
  constructor(dir: string, pid: number) {
    super(
      `the data directory ${dir} is in use by another embedded store (process ${pid}); stop that one first or choose another DATA_DIR`,
    );
    this.name = "DataDirInUse";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `dir/LOCK`, holding this process's id. A LOCK whose process is gone (killed, machine
 * restarted) is taken over; one whose process still runs throws DataDirInUse.
 * Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, "LOCK");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (holder(path) === process.pid) unlinkSync(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = holder(path);
    // Our own id left by an earlier life of this process id (a container restarted) is stale too.
    if (pid !== undefined && pid !== process.pid && alive(pid)) throw new DataDirInUse(dir, pid);
    try {
      unlinkSync(path);
    } catch {
      // Another starter removed it first: try again.
    }
  }
  throw new Error(`could not take the lock ${path}: another process keeps replacing it`);
}

function holder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
