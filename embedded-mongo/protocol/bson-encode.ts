import { Double, Int32, Long, ObjectId } from "bson";
import { type Doc, isPlainObject } from "../bson-values";

/**
 * A lean BSON writer for replies: the same bytes `BSON.serialize` writes (default options) for
 * documents made of plain objects, arrays, strings, numbers, booleans, null, undefined, Dates,
 * ObjectIds, Longs, Doubles and Int32s. Anything else (binaries, Decimal128, regexes, Maps, class instances, keys
 * with NUL bytes, very deep or very large documents) makes it give up and the caller lets bson
 * write the reply. It exists because bson's general writer (cycle tracking, toBSON and version
 * checks on every value) was the largest part of answering a command.
 */

class NotMine extends Error {}
const NOT_MINE = new NotMine();

/** Replies bigger than this are rare: bson writes those. */
const MAX_BYTES = 4 * 1024 * 1024;
/** bson tracks cycles; documents this deep are left to it. */
const MAX_DEPTH = 100;

let scratch = Buffer.allocUnsafe(64 * 1024);

/** The buffer, grown so that `need` more bytes fit after `at`. */
function room(at: number, need: number): Buffer {
  if (at + need <= scratch.length) return scratch;
  if (at + need > MAX_BYTES) throw NOT_MINE;
  const grown = Buffer.allocUnsafe(Math.min(MAX_BYTES, Math.max(scratch.length * 2, at + need)));
  scratch.copy(grown, 0, 0, at);
  scratch = grown;
  return grown;
}

/** Writes `text` as UTF-8 at `at` (as bson does, lone surrogates become U+FFFD); returns the byte count. */
function writeUtf8(text: string, at: number): number {
  const length = text.length;
  let buf = room(at, length);
  let ascii = true;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    buf[at + i] = c;
  }
  if (ascii) return length;
  buf = room(at, length * 3);
  return buf.write(text, at, "utf8");
}

/** Element header: type byte and the key as a C string; returns the index after it. */
function writeKey(type: number, key: string, at: number): number {
  room(at, 1)[at] = type;
  const n = writeUtf8(key, at + 1);
  room(at + 1 + n, 1)[at + 1 + n] = 0;
  return at + 2 + n;
}

const ObjectIdWriter = ObjectId.prototype as unknown as {
  serializeInto(this: ObjectId, into: Uint8Array, at: number): number;
};

function writeValue(key: string, value: unknown, at: number, inArray: boolean, depth: number): number {
  if (value === undefined) {
    // bson leaves undefined fields out of documents (ignoreUndefined) but writes null in arrays.
    return inArray ? writeKey(0x0a, key, at) : at;
  }
  if (value === null) return writeKey(0x0a, key, at);
  switch (typeof value) {
    case "string": {
      let i = writeKey(0x02, key, at);
      const n = writeUtf8(value, i + 4);
      const buf = room(i + 4 + n, 1);
      buf.writeInt32LE(n + 1, i);
      buf[i + 4 + n] = 0;
      i += 5 + n;
      return i;
    }
    case "number": {
      const int =
        !Object.is(value, -0) && Number.isSafeInteger(value) && value <= 0x7fffffff && value >= -0x80000000;
      const i = writeKey(int ? 0x10 : 0x01, key, at);
      if (int) {
        room(i, 4).writeInt32LE(value, i);
        return i + 4;
      }
      room(i, 8).writeDoubleLE(value, i);
      return i + 8;
    }
    case "boolean": {
      const i = writeKey(0x08, key, at);
      room(i, 1)[i] = value ? 1 : 0;
      return i + 1;
    }
    case "object":
      break;
    default:
      throw NOT_MINE;
  }
  const object = value as object;
  if (typeof (object as { toBSON?: unknown }).toBSON === "function") throw NOT_MINE;
  const tag = (object as { _bsontype?: unknown })._bsontype;
  if (tag === undefined || tag === null) {
    if (object instanceof Date) return writeDate(key, object, at);
    if (Array.isArray(object)) return writeArray(object, writeKey(0x04, key, at), depth + 1);
    if (isPlainObject(object)) return writeDocument(object, writeKey(0x03, key, at), depth + 1);
    throw NOT_MINE;
  }
  // Exactly these classes of this bson (a Timestamp is a Long too, with its own type byte).
  if (tag === "ObjectId" && object instanceof ObjectId) {
    const i = writeKey(0x07, key, at);
    ObjectIdWriter.serializeInto.call(object, room(i, 12), i);
    return i + 12;
  }
  // Numbers that keep their BSON type: an integral double stays a double, an int32 an int32.
  if (tag === "Double" && object instanceof Double) {
    const i = writeKey(0x01, key, at);
    room(i, 8).writeDoubleLE(object.value, i);
    return i + 8;
  }
  if (tag === "Int32" && object instanceof Int32) {
    const i = writeKey(0x10, key, at);
    room(i, 4).writeInt32LE(object.value, i);
    return i + 4;
  }
  if (tag === "Long" && object instanceof Long) {
    const i = writeKey(0x12, key, at);
    const buf = room(i, 8);
    buf.writeInt32LE(object.getLowBits(), i);
    buf.writeInt32LE(object.getHighBits(), i + 4);
    return i + 8;
  }
  throw NOT_MINE;
}

function writeDate(key: string, date: Date, at: number): number {
  const i = writeKey(0x09, key, at);
  const millis = Long.fromNumber(date.getTime());
  const buf = room(i, 8);
  buf.writeInt32LE(millis.getLowBits(), i);
  buf.writeInt32LE(millis.getHighBits(), i + 4);
  return i + 8;
}

function writeDocument(doc: Doc, at: number, depth: number): number {
  if (depth > MAX_DEPTH) throw NOT_MINE;
  let i = at + 4;
  for (const key of Object.keys(doc)) {
    if (key.includes("\u0000")) throw NOT_MINE;
    i = writeValue(key, doc[key], i, false, depth);
  }
  const buf = room(i, 1);
  buf[i] = 0;
  buf.writeInt32LE(i + 1 - at, at);
  return i + 1;
}

function writeArray(list: unknown[], at: number, depth: number): number {
  if (depth > MAX_DEPTH) throw NOT_MINE;
  let i = at + 4;
  for (let n = 0; n < list.length; n++) i = writeValue(String(n), list[n], i, true, depth);
  const buf = room(i, 1);
  buf[i] = 0;
  buf.writeInt32LE(i + 1 - at, at);
  return i + 1;
}

/**
 * A new buffer of `reserve` bytes (left for the caller's header) followed by `doc` as BSON, the
 * bytes `BSON.serialize(doc)` would give; `undefined` when bson must write this document.
 */
export function serializeAfter(reserve: number, doc: Doc): Buffer | undefined {
  const root = doc as { toBSON?: unknown; _bsontype?: unknown };
  if (!isPlainObject(doc) || typeof root.toBSON === "function" || root._bsontype != null) return undefined;
  try {
    const end = writeDocument(doc, reserve, 0);
    return Buffer.from(scratch.subarray(0, end));
  } catch (error) {
    if (error instanceof NotMine) return undefined;
    throw error;
  }
}
