import { Binary, BSON, BSONSymbol, Double, Int32, Long, ObjectId, UUID } from "bson";
import { type Doc, storedDouble } from "../bson-values";

/**
 * A lean BSON reader for what drivers send in commands (strings, numbers, dates, booleans, null,
 * ObjectIds, binaries, documents and arrays), giving exactly what `deserializeDocument`'s bson
 * path gives (every number keeping its BSON type). Anything else (regexes, Decimal128,
 * timestamps, code, DBRefs, min/max keys, malformed bytes) makes it give up, and `bson` decodes
 * that document instead (with its own errors): this reader only has to be right where it answers.
 * It exists because decoding each command was a quarter of the store's CPU (bson's generic
 * reader re-hashes every field name and builds option objects per nested document).
 */

/** bson's own deserializer builds ObjectIds as (bytes, offset), a form its typings leave out. */
const ObjectIdAt = ObjectId as unknown as new (bytes: Uint8Array, offset: number) => ObjectId;

/** Thrown inside the reader to give up; never escapes `deserializeDocument`. */
class NotMine extends Error {}
const NOT_MINE = new NotMine();

const TWO_32 = 4294967296;

/** What bson gives with promoteValues off, in the store's forms: int32 as numbers, doubles as `storedDouble`, symbols as strings. */
function storedValues(value: unknown): unknown {
  if (value instanceof Int32) return value.value;
  if (value instanceof Double) return storedDouble(value.value);
  if (value instanceof BSONSymbol) return value.valueOf();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = storedValues(value[i]);
  } else if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const doc = value as Doc;
    for (const key of Object.keys(doc)) assign(doc, key, storedValues(doc[key]));
  }
  return value;
}

function latinOrUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= 20) {
    let out = "";
    for (let i = start; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x80) return buf.toString("utf8", start, end);
      out += String.fromCharCode(c);
    }
    return out;
  }
  return buf.toString("utf8", start, end);
}

/**
 * Field names repeat from command to command: the same string object each time lets V8 skip
 * re-hashing and re-internalising it on every property store, which was most of the decoding.
 */
const names = new Map<number, string>();
const NAME_CACHE_LIMIT = 4096;

function fieldName(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > 32) return buf.toString("utf8", start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c >= 0x80) return buf.toString("utf8", start, end);
    hash = Math.imul(hash ^ c, 16777619);
  }
  const known = names.get(hash);
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  let name = "";
  for (let i = start; i < end; i++) name += String.fromCharCode(buf[i] as number);
  if (names.size >= NAME_CACHE_LIMIT) names.clear();
  names.set(hash, name);
  return name;
}

function assign(dest: Doc, name: string, value: unknown): void {
  if (name === "__proto__") {
    Object.defineProperty(dest, name, { value, writable: true, enumerable: true, configurable: true });
  } else dest[name] = value;
}

/** The value of one element of type `type` at `at` (after its name); sets `next` to the byte after it. */
function readValue(buf: Buffer, type: number, at: number, end: number, cursor: { next: number }): unknown {
  switch (type) {
    case 0x01: // double
      if (at + 8 > end) throw NOT_MINE;
      cursor.next = at + 8;
      return storedDouble(buf.readDoubleLE(at));
    case 0x02: {
      // string
      if (at + 4 > end) throw NOT_MINE;
      const size = buf.readInt32LE(at);
      const stop = at + 4 + size;
      if (size <= 0 || stop > end || buf[stop - 1] !== 0) throw NOT_MINE;
      cursor.next = stop;
      return latinOrUtf8(buf, at + 4, stop - 1);
    }
    case 0x03:
    case 0x04: {
      // document, array
      if (at + 5 > end) throw NOT_MINE;
      const size = buf.readInt32LE(at);
      if (size < 5 || at + size > end) throw NOT_MINE;
      cursor.next = at + size;
      return type === 0x03 ? readDocument(buf, at, at + size) : readArray(buf, at, at + size);
    }
    case 0x05: {
      // binary (the old subtype 2 carries a second length: bson's own checks decide it)
      if (at + 5 > end) throw NOT_MINE;
      const size = buf.readInt32LE(at);
      const subType = buf[at + 4] as number;
      const start = at + 5;
      if (size < 0 || start + size > end || subType === 2) throw NOT_MINE;
      cursor.next = start + size;
      const bytes = buf.subarray(start, start + size);
      // What bson's `new Binary(bytes, 4).toUUID()` gives for a valid 16-byte UUID (every lsid).
      return subType === 4 && size === 16 ? new UUID(bytes) : new Binary(bytes, subType);
    }
    case 0x07: // ObjectId
      if (at + 12 > end) throw NOT_MINE;
      cursor.next = at + 12;
      return new ObjectIdAt(buf, at);
    case 0x08: {
      // boolean
      if (at + 1 > end) throw NOT_MINE;
      const b = buf[at];
      if (b !== 0 && b !== 1) throw NOT_MINE;
      cursor.next = at + 1;
      return b === 1;
    }
    case 0x09: // UTC datetime: a signed int64 of milliseconds
      if (at + 8 > end) throw NOT_MINE;
      cursor.next = at + 8;
      return new Date(buf.readInt32LE(at + 4) * TWO_32 + buf.readUInt32LE(at));
    case 0x0a:
      cursor.next = at;
      return null;
    case 0x10: // int32
      if (at + 4 > end) throw NOT_MINE;
      cursor.next = at + 4;
      return buf.readInt32LE(at);
    case 0x12: {
      // int64
      if (at + 8 > end) throw NOT_MINE;
      cursor.next = at + 8;
      return new Long(buf.readInt32LE(at), buf.readInt32LE(at + 4));
    }
  }
  throw NOT_MINE;
}

/** Index of the NUL ending the C string at `at`, within `end`. */
function cstringEnd(buf: Buffer, at: number, end: number): number {
  const zero = buf.indexOf(0, at);
  if (zero < 0 || zero >= end) throw NOT_MINE;
  return zero;
}

function readDocument(buf: Buffer, start: number, end: number): Doc {
  const out: Doc = {};
  const cursor = { next: 0 };
  let at = start + 4;
  while (true) {
    if (at >= end) throw NOT_MINE;
    const type = buf[at] as number;
    if (type === 0) {
      if (at + 1 !== end) throw NOT_MINE;
      return out;
    }
    const nameEnd = cstringEnd(buf, at + 1, end);
    const name = fieldName(buf, at + 1, nameEnd);
    // bson turns { $ref, $id } documents into DBRef objects: leave those to it.
    if (name === "$ref") throw NOT_MINE;
    assign(out, name, readValue(buf, type, nameEnd + 1, end, cursor));
    at = cursor.next;
  }
}

function readArray(buf: Buffer, start: number, end: number): unknown[] {
  const out: unknown[] = [];
  const cursor = { next: 0 };
  let at = start + 4;
  while (true) {
    if (at >= end) throw NOT_MINE;
    const type = buf[at] as number;
    if (type === 0) {
      if (at + 1 !== end) throw NOT_MINE;
      return out;
    }
    // Array keys are "0", "1", ...; bson ignores them and numbers the elements itself.
    const nameEnd = cstringEnd(buf, at + 1, end);
    out.push(readValue(buf, type, nameEnd + 1, end, cursor));
    at = cursor.next;
  }
}

const DESERIALIZE = { promoteLongs: false, promoteValues: false, validation: { utf8: false } } as const;

/**
 * The document `buf` holds (exactly one, filling it), with every value keeping its BSON type:
 * int64 as `Long`, doubles as `storedDouble` (what `BSON.deserialize` without promotion gives,
 * int32 and symbols promoted); bson's own errors for malformed bytes.
 */
export function deserializeDocument(buf: Buffer): Doc {
  if (buf.length >= 5 && buf.readInt32LE(0) === buf.length) {
    try {
      return readDocument(buf, 0, buf.length);
    } catch (error) {
      if (!(error instanceof NotMine)) throw error;
    }
  }
  return storedValues(BSON.deserialize(buf, DESERIALIZE)) as Doc;
}
