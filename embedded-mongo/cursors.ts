import { BSON, Long } from "bson";
import type { Doc } from "./bson-values";
import { cursorNotFound } from "./errors";

const DEFAULT_FIRST_BATCH = 101;
/** Keeps a reply well under the 16 MiB BSON limit; the driver asks again for the rest. */
const BATCH_BYTES = 8 * 1024 * 1024;
const IDLE_LIMIT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  pos: number;
  lastUsed: number;
}

export interface CursorReply {
  cursor: { firstBatch?: Doc[]; nextBatch?: Doc[]; id: Long; ns: string };
  ok: 1;
}

/** Results held between find/aggregate and getMore (the documents are immutable snapshots). */
export class Cursors {
  private readonly open = new Map<string, OpenCursor>();
  private nextId = 1n;

  private batch(cursor: OpenCursor, size: number): Doc[] {
    const end = size > 0 ? Math.min(cursor.docs.length, cursor.pos + size) : cursor.docs.length;
    const out: Doc[] = [];
    let bytes = 0;
    while (cursor.pos < end) {
      const doc = cursor.docs[cursor.pos] as Doc;
      if (cursor.docs.length - cursor.pos > 100) {
        bytes += BSON.calculateObjectSize(doc);
        if (bytes > BATCH_BYTES && out.length > 0) break;
      }
      out.push(doc);
      cursor.pos += 1;
    }
    return out;
  }

  /** The first batch; a cursor stays open only when documents remain. */
  start(ns: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): CursorReply {
    const cursor: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now() };
    const firstBatch = this.batch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = Long.ZERO;
    if (!singleBatch && cursor.pos < docs.length) {
      const n = this.nextId++;
      id = Long.fromBigInt(n);
      this.open.set(n.toString(), cursor);
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  more(id: unknown, batchSize: number | undefined): CursorReply {
    const key = String(id);
    const cursor = this.open.get(key);
    if (!cursor) throw cursorNotFound(key);
    cursor.lastUsed = Date.now();
    const nextBatch = this.batch(cursor, batchSize ?? 0);
    const done = cursor.pos >= cursor.docs.length;
    if (done) this.open.delete(key);
    return { cursor: { nextBatch, id: done ? Long.ZERO : Long.fromString(key), ns: cursor.ns }, ok: 1 };
  }

  kill(ids: unknown[]): Doc {
    const killed: unknown[] = [];
    const notFound: unknown[] = [];
    for (const id of ids) (this.open.delete(String(id)) ? killed : notFound).push(id);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  reapIdle(now = Date.now()): void {
    for (const [key, cursor] of this.open) if (now - cursor.lastUsed > IDLE_LIMIT_MS) this.open.delete(key);
  }
}
