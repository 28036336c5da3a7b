import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import type { Doc } from "../bson-values";
import type { Store } from "../storage/store";
import { applyChange } from "./apply-change";
import { encodeFrame, readFrames } from "./frames";

/**
 * A snapshot is the whole committed state in one file: for each collection a frame with its
 * options, uuid, indexes and document count, then its documents one frame each, then an end
 * frame. Start-up loads it and redoes only the journal written after it.
 */
interface CapturedCollection {
  header: Doc;
  docs: Doc[];
}

/**
 * The state as it is now. Stored documents are never changed in place (an update stores a new
 * copy), so holding on to them is enough to write this state later while the store moves on.
 */
export function captureState(store: Store): CapturedCollection[] {
  const out: CapturedCollection[] = [];
  for (const collections of store.databases.values()) {
    for (const coll of collections.values()) {
      const indexes = [...coll.indexes.values()].filter((i) => i.name !== "_id_").map((i) => i.describe());
      out.push({
        header: {
          db: coll.db,
          coll: coll.name,
          options: coll.options,
          uuid: coll.uuid,
          indexes,
          count: coll.docs.size,
        },
        docs: [...coll.docs.values()],
      });
    }
  }
  return out;
}

/** Frames written per `write` call: big enough to be cheap, small enough to let commands run in between. */
const FRAMES_PER_WRITE = 2000;

/** Writes a captured state to `path` durably (a temporary file, fsync, rename, directory fsync). */
export async function writeSnapshot(path: string, state: CapturedCollection[]): Promise<number> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, "w");
  let bytes = 0;
  try {
    let pending: Buffer[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const chunk = Buffer.concat(pending);
      pending = [];
      await file.write(chunk);
      bytes += chunk.length;
    };
    for (const { header, docs } of state) {
      pending.push(encodeFrame(header));
      for (const doc of docs) {
        pending.push(encodeFrame(doc));
        if (pending.length >= FRAMES_PER_WRITE) await flush();
      }
    }
    pending.push(encodeFrame({ end: true, collections: state.length }));
    await flush();
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  syncDirectory(dirname(path));
  return bytes;
}

/** Loads a snapshot into an empty store; a snapshot without its end frame is refused. */
export function loadSnapshot(path: string, store: Store): void {
  const { frames } = readFrames(readFileSync(path));
  let i = 0;
  while (i < frames.length) {
    const header = frames[i]!.doc;
    if (header.end === true) return;
    i += 1;
    const db = String(header.db);
    const name = String(header.coll);
    applyChange(store, { op: "create", db, coll: name, options: header.options as Doc, uuid: header.uuid });
    const coll = store.collection(db, name)!;
    for (const spec of header.indexes as Doc[])
      applyChange(store, { op: "createIndex", db, coll: name, spec });
    const count = Number(header.count);
    for (let n = 0; n < count && i < frames.length; n++, i++) {
      const doc = frames[i]!.doc;
      applyChange(store, { op: "put", db, coll: coll.name, doc });
    }
  }
  throw new Error(`the snapshot ${path} is incomplete (no end frame): the data directory is damaged`);
}

/** Makes a file's creation, rename or removal in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
