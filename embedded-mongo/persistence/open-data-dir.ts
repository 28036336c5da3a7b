import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { ServerLog } from "../commands/context";
import type { Store } from "../storage/store";
import { recoverStore } from "./data-dir";
import { Journal } from "./journal";
import { DataDirInUse, lockDataDir } from "./lock";

/** The data directory that means none: nothing on disk, everything gone when the process ends. */
export const IN_MEMORY = ":memory:";

export interface DurableStore {
  dir: string;
  store: Store;
  journal: Journal;
  /** The state on disk again, after a write that could not be saved (nothing on disk changes). */
  reload(): Store;
  close(): Promise<void>;
}

/** A journal this long (and longer than the last snapshot) is compacted into a new snapshot. */
export const DEFAULT_COMPACT_BYTES = 32 * 1024 * 1024;
/** A store that was just killed may still be letting go of the directory: wait this long for it. */
const LOCK_WAIT_MS = 5000;

async function lockWhenFree(dir: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return lockDataDir(dir);
    } catch (error) {
      if (!(error instanceof DataDirInUse) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Opens (creating it if needed) a data directory: lock, recover, and a journal to append to. */
export async function openDataDir(
  path: string,
  log: ServerLog,
  compactBytes = DEFAULT_COMPACT_BYTES,
): Promise<DurableStore> {
  const dir = resolve(path);
  let release: () => void;
  try {
    mkdirSync(dir, { recursive: true });
    release = await lockWhenFree(dir);
  } catch (error) {
    if (error instanceof DataDirInUse) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new Error(
      `the data directory ${dir} cannot be used (${code || (error as Error).message}): choose a writable directory`,
    );
  }
  try {
    const started = Date.now();
    const recovered = recoverStore(dir, true);
    const collections = [...recovered.store.databases.values()].reduce((n, c) => n + c.size, 0);
    log.info(
      { dir, collections, ms: Date.now() - started, tornBytes: recovered.tornBytes },
      "embedded store: data recovered",
    );
    if (recovered.tornBytes > 0)
      log.warn(
        { dir, bytes: recovered.tornBytes },
        "embedded store: cut off a torn journal record (never acknowledged)",
      );
    const durable: DurableStore = {
      dir,
      store: recovered.store,
      journal: new Journal({
        dir,
        generation: recovered.generation,
        journalBytes: recovered.journalBytes,
        snapshotBytes: recovered.snapshotBytes,
        compactBytes,
        state: () => durable.store,
        log,
      }),
      reload() {
        durable.store = recoverStore(dir, false).store;
        durable.store.changes.recording = true;
        return durable.store;
      },
      async close() {
        await durable.journal.close();
        release();
      },
    };
    durable.store.changes.recording = true;
    return durable;
  } catch (error) {
    release();
    throw error;
  }
}
