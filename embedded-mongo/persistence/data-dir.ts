import { readdirSync, readFileSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../storage/store";
import { applyChange, changesOf } from "./apply-change";
import { scanFrames } from "./frames";
import { loadSnapshot } from "./snapshot";

/**
 * A data directory holds `snapshot-<n>.bson` (the whole state before journal n) and
 * `journal-<n>.log` files (every change since, one frame per command), plus the LOCK file.
 * Redoing a journal over a snapshot that already holds some of its records arrives at the same
 * state (every change sets a final value), so a snapshot may be taken at any moment.
 */
const pad = (generation: number) => String(generation).padStart(8, "0");
export const journalPath = (dir: string, generation: number) => join(dir, `journal-${pad(generation)}.log`);
export const snapshotPath = (dir: string, generation: number) =>
  join(dir, `snapshot-${pad(generation)}.bson`);

function generations(dir: string, prefix: string, suffix: string): number[] {
  const pattern = new RegExp(`^${prefix}(\\d+)\\${suffix}$`);
  const out: number[] = [];
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match) out.push(Number(match[1]));
  }
  return out.sort((a, b) => a - b);
}

export interface Recovered {
  store: Store;
  /** The journal new records go to, and its length. */
  generation: number;
  journalBytes: number;
  snapshotBytes: number;
  /** Bytes of a torn last record that were cut off (0 after a clean stop). */
  tornBytes: number;
}

/**
 * The state the directory holds: the newest snapshot, then every whole journal record after it.
 * With `repair`, a torn tail is cut off, and files left over by an interrupted compaction are
 * removed; without it nothing on disk changes (the running store rebuilding itself after a
 * failed write while a compaction may be writing).
 */
export function recoverStore(dir: string, repair: boolean): Recovered {
  const store = new Store();
  const snapshots = generations(dir, "snapshot-", ".bson");
  const base = snapshots.at(-1) ?? 0;
  let snapshotBytes = 0;
  if (base > 0) {
    loadSnapshot(snapshotPath(dir, base), store);
    snapshotBytes = statSync(snapshotPath(dir, base)).size;
  }
  const journals = generations(dir, "journal-", ".log").filter((g) => g >= base);
  let generation = journals.at(-1) ?? Math.max(base, 1);
  let journalBytes = 0;
  let tornBytes = 0;
  for (const [i, g] of journals.entries()) {
    const path = journalPath(dir, g);
    const bytes = readFileSync(path);
    const validEnd = scanFrames(bytes, (record) => {
      for (const change of changesOf(record)) applyChange(store, change);
    });
    journalBytes = validEnd;
    if (validEnd === bytes.length) continue;
    // A torn record ends what was written whole: nothing after it was ever acknowledged.
    tornBytes = bytes.length - validEnd;
    generation = g;
    if (repair) {
      truncateSync(path, validEnd);
      for (const later of journals.slice(i + 1)) unlinkSync(journalPath(dir, later));
    }
    break;
  }
  if (repair) removeLeftovers(dir, base);
  return { store, generation, journalBytes, snapshotBytes, tornBytes };
}

/** Removes what an interrupted or finished compaction left: temporary files and files older than `base`. */
export function removeLeftovers(dir: string, base: number): void {
  for (const name of readdirSync(dir)) if (name.endsWith(".tmp")) unlinkSync(join(dir, name));
  for (const g of generations(dir, "snapshot-", ".bson")) if (g < base) unlinkSync(snapshotPath(dir, g));
  for (const g of generations(dir, "journal-", ".log")) if (g < base) unlinkSync(journalPath(dir, g));
}
