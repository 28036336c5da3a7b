import { closeSync, fdatasync, ftruncateSync, openSync, writev } from "node:fs";
import type { ServerLog } from "../commands/context";
import type { Change } from "../storage/changes";
import type { Store } from "../storage/store";
import { recordOf } from "./apply-change";
import { journalPath, removeLeftovers, snapshotPath } from "./data-dir";
import { encodeFrame } from "./frames";
import { captureState, syncDirectory, writeSnapshot } from "./snapshot";

export interface JournalOptions {
  dir: string;
  generation: number;
  journalBytes: number;
  snapshotBytes: number;
  /** A snapshot is taken once the journal is this long and longer than the last snapshot. */
  compactBytes: number;
  /** The store as it is now, for a snapshot (it is replaced after a failed write). */
  state: () => Store;
  log: ServerLog;
}

/**
 * The write-ahead journal. Each command's changes become one record, appended in memory at
 * once; records are written and fsynced in groups (everything that arrived while the previous
 * group was being synced goes down in the next one), and a record counts as durable only after
 * its group's fsync. Records are numbered: the server holds every reply until the journal is
 * durable up to the record that was last appended when the reply was made.
 */
export class Journal {
  private fd: number;
  private generation: number;
  /** Durable length of the current journal file. */
  private bytes: number;
  private snapshotBytes: number;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private appended = 0;
  private durable = 0;
  private flushing = false;
  private scheduled = false;
  private compaction: Promise<void> | undefined;
  private compactRequested = false;
  private drained: (() => void) | undefined;
  /** Called with the number of the last durable record after each group's fsync. */
  onDurable: (durable: number) => void = () => {};
  /** Called when a group could not be written: records after `durable` are lost (and never acknowledged). */
  onFailure: (error: Error, durable: number) => void = () => {};

  constructor(private readonly options: JournalOptions) {
    this.generation = options.generation;
    this.bytes = options.journalBytes;
    this.snapshotBytes = options.snapshotBytes;
    this.fd = openSync(journalPath(options.dir, this.generation), "a");
    syncDirectory(options.dir);
  }

  /** The number of the last record appended (durable or not). */
  get lastAppended(): number {
    return this.appended;
  }

  get lastDurable(): number {
    return this.durable;
  }

  append(changes: Change[]): number {
    const frame = encodeFrame(recordOf(changes));
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    this.appended += 1;
    if (!this.flushing && !this.scheduled) {
      // Wait for the rest of this turn: commands arriving together share one fsync.
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return this.appended;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.flushing) return;
    if (this.compactionDue()) {
      try {
        this.startCompaction();
      } catch (error) {
        this.fail(error as Error);
        return;
      }
    }
    if (this.queue.length === 0) {
      this.drained?.();
      return;
    }
    this.flushing = true;
    const batch = this.queue;
    const size = this.queuedBytes;
    const upTo = this.appended;
    this.queue = [];
    this.queuedBytes = 0;
    writev(this.fd, batch, (error, written) => {
      if (error) return this.fail(error);
      // A regular file takes fewer bytes than asked only when the disk (or the file size limit) is full.
      if (written !== size) return this.fail(shortWrite(written, size));
      fdatasync(this.fd, (syncError) => {
        if (syncError) return this.fail(syncError);
        this.bytes += size;
        this.durable = upTo;
        this.flushing = false;
        this.onDurable(upTo);
        this.flush();
      });
    });
  }

  private compactionDue(): boolean {
    if (this.compaction) return false;
    return this.compactRequested || this.bytes >= Math.max(this.options.compactBytes, this.snapshotBytes);
  }

  /** Takes a snapshot now (between two groups of writes), whatever the journal's length. */
  compactNow(): void {
    this.compactRequested = true;
    this.flush();
  }

  /** Cuts the file back to what was durable and forgets every record after it. */
  private fail(error: Error): void {
    this.flushing = false;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      ftruncateSync(this.fd, this.bytes);
    } catch {
      // A damaged tail is still cut off by its checksum at the next start.
    }
    const durable = this.durable;
    // The failed records are answered with errors now: nothing waits for them any more.
    this.durable = this.appended;
    this.onFailure(error, durable);
    this.drained?.();
  }

  /**
   * Starts a new journal file and writes the state as it is now as the snapshot before it; the
   * older files are removed once the snapshot is safely on disk.
   */
  private startCompaction(): void {
    const { dir, log } = this.options;
    this.compactRequested = false;
    const state = captureState(this.options.state());
    const next = this.generation + 1;
    const fd = openSync(journalPath(dir, next), "a");
    syncDirectory(dir);
    closeSync(this.fd);
    this.fd = fd;
    this.generation = next;
    this.bytes = 0;
    this.compaction = writeSnapshot(snapshotPath(dir, next), state)
      .then((bytes) => {
        this.snapshotBytes = bytes;
        removeLeftovers(dir, next);
        syncDirectory(dir);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, "embedded store: snapshot failed; the journal is kept whole and grows");
      })
      .finally(() => {
        this.compaction = undefined;
      });
  }

  /** Writes what is queued, waits for a running snapshot, and closes the file. */
  async close(): Promise<void> {
    if (this.flushing || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (!this.flushing) this.flush();
      });
    }
    await this.compaction;
    closeSync(this.fd);
  }
}

function shortWrite(written: number, size: number): Error {
  return Object.assign(new Error(`only ${written} of ${size} bytes could be written`), { code: "ENOSPC" });
}
