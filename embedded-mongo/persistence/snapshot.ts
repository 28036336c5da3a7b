import { closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { type Doc, keyOf } from "../bson-values";
import type { Collection } from "../storage/collection";
import type { Store } from "../storage/store";
import { applyChange } from "./apply-change";
import { encodeFrame, scanFrames } from "./frames";

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
  let coll: Collection | undefined;
  let left = 0;
  let ended = false;
  scanFrames(readFileSync(path), (doc) => {
    if (left > 0) {
      coll!.put(keyOf(doc._id), doc, 0);
      left -= 1;
    } else if (doc.end === true) ended = true;
    else {
      coll = loadCollection(store, doc);
      left = Number(doc.count);
    }
  });
  if (!ended)
    throw new Error(`the snapshot ${path} is incomplete (no end frame): the data directory is damaged`);
}

/** A collection header frame: the collection, its indexes, and how many document frames follow. */
function loadCollection(store: Store, header: Doc): Collection {
  const db = String(header.db);
  const name = String(header.coll);
  applyChange(store, { op: "create", db, coll: name, options: header.options as Doc, uuid: header.uuid });
  for (const spec of header.indexes as Doc[]) applyChange(store, { op: "createIndex", db, coll: name, spec });
  return store.collection(db, name)!;
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
