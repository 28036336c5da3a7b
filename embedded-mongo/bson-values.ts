import { Binary, Decimal128, Double, Int32, Long, ObjectId, type Timestamp } from "bson";

/**
 * MongoDB's canonical ordering and equality for BSON values as `bson` deserializes them. mingo
 * compares Decimal128 and Long by their string form, so every comparison the store makes itself
 * (sorts, index keys, the comparison operators it hands to mingo) goes through here instead.
 */

export type Doc = Record<string, unknown>;

const RANK_MIN = 0;
const RANK_NULL = 1;
const RANK_NUMBER = 2;
const RANK_STRING = 3;
const RANK_OBJECT = 4;
const RANK_ARRAY = 5;
const RANK_BINARY = 6;
const RANK_OBJECTID = 7;
const RANK_BOOLEAN = 8;
const RANK_DATE = 9;
const RANK_TIMESTAMP = 10;
const RANK_REGEX = 11;
const RANK_OTHER = 12;
const RANK_MAX = 100;

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNumeric(v: unknown): boolean {
  return (
    typeof v === "number" ||
    typeof v === "bigint" ||
    v instanceof Long ||
    v instanceof Decimal128 ||
    v instanceof Int32 ||
    v instanceof Double
  );
}

function bsonTypeName(v: unknown): string | undefined {
  if (v !== null && typeof v === "object" && "_bsontype" in v)
    return String((v as { _bsontype: unknown })._bsontype);
  return undefined;
}

export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return RANK_NULL;
  switch (typeof v) {
    case "number":
    case "bigint":
      return RANK_NUMBER;
    case "string":
      return RANK_STRING;
    case "boolean":
      return RANK_BOOLEAN;
  }
  if (Array.isArray(v)) return RANK_ARRAY;
  if (v instanceof Date) return RANK_DATE;
  if (v instanceof RegExp) return RANK_REGEX;
  if (isPlainObject(v)) return RANK_OBJECT;
  switch (bsonTypeName(v)) {
    case "Long":
    case "Decimal128":
    case "Int32":
    case "Double":
      return RANK_NUMBER;
    case "ObjectId":
    case "ObjectID":
      return RANK_OBJECTID;
    case "Binary":
      return RANK_BINARY;
    case "Timestamp":
      return RANK_TIMESTAMP;
    case "BSONRegExp":
      return RANK_REGEX;
    case "MinKey":
      return RANK_MIN;
    case "MaxKey":
      return RANK_MAX;
    case "BSONSymbol":
      return RANK_STRING;
  }
  return RANK_OTHER;
}

/** An exact decimal: sign * coef * 10^exp, or a special value. */
interface Exact {
  special?: "nan" | "inf" | "-inf";
  neg: boolean;
  coef: bigint;
  exp: number;
}

function parseDecimalString(s: string): Exact {
  const lower = s.toLowerCase();
  if (lower.includes("nan")) return { special: "nan", neg: false, coef: 0n, exp: 0 };
  if (lower.includes("inf"))
    return { special: lower.startsWith("-") ? "-inf" : "inf", neg: false, coef: 0n, exp: 0 };
  let body = s;
  let neg = false;
  if (body.startsWith("-")) {
    neg = true;
    body = body.slice(1);
  } else if (body.startsWith("+")) body = body.slice(1);
  let exp = 0;
  const e = body.search(/[eE]/);
  if (e >= 0) {
    exp = Number(body.slice(e + 1));
    body = body.slice(0, e);
  }
  const dot = body.indexOf(".");
  if (dot >= 0) {
    exp -= body.length - dot - 1;
    body = body.slice(0, dot) + body.slice(dot + 1);
  }
  let coef = BigInt(body || "0");
  if (coef === 0n) return { neg: false, coef: 0n, exp: 0 };
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp += 1;
  }
  return { neg, coef, exp };
}

function toExact(v: unknown): Exact {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { special: "nan", neg: false, coef: 0n, exp: 0 };
    if (!Number.isFinite(v)) return { special: v > 0 ? "inf" : "-inf", neg: false, coef: 0n, exp: 0 };
    return parseDecimalString(String(v));
  }
  if (typeof v === "bigint") return parseDecimalString(v.toString());
  if (v instanceof Int32 || v instanceof Double) return toExact(v.valueOf());
  return parseDecimalString(String(v));
}

function specialRank(x: Exact): number {
  return x.special === "nan" ? -2 : x.special === "-inf" ? -1 : x.special === "inf" ? 1 : 0;
}

function compareExact(a: Exact, b: Exact): number {
  const ra = specialRank(a);
  const rb = specialRank(b);
  if (ra !== 0 || rb !== 0) {
    if (ra === rb) return 0;
    if (ra === -2 || rb === -2) return ra === -2 ? -1 : 1;
    if (ra !== 0 && rb !== 0) return ra < rb ? -1 : 1;
    return ra !== 0 ? ra : -rb;
  }
  const sa = a.coef === 0n ? 0 : a.neg ? -1 : 1;
  const sb = b.coef === 0n ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Same sign: compare magnitudes at a common exponent (the exponents of real data stay small).
  const shift = a.exp - b.exp;
  const ma = shift > 0 ? a.coef * 10n ** BigInt(shift) : a.coef;
  const mb = shift < 0 ? b.coef * 10n ** BigInt(-shift) : b.coef;
  const mag = ma === mb ? 0 : ma < mb ? -1 : 1;
  return sa < 0 ? -mag : mag;
}

export function compareNumbers(x: unknown, y: unknown): number {
  // Stored doubles and int32s compare as the plain numbers they hold.
  const a = x instanceof Double || x instanceof Int32 ? x.value : x;
  const b = y instanceof Double || y instanceof Int32 ? y.value : y;
  if (typeof a === "number" && typeof b === "number") {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const na = Number.isNaN(a);
    const nb = Number.isNaN(b);
    return na === nb ? 0 : na ? -1 : 1;
  }
  return compareExact(toExact(a), toExact(b));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** MongoDB's total order over BSON values (missing sorts as null). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case RANK_NULL:
    case RANK_MIN:
    case RANK_MAX:
      return 0;
    case RANK_NUMBER:
      return compareNumbers(a, b);
    case RANK_STRING:
      return compareStrings(String(a), String(b));
    case RANK_BOOLEAN:
      return a === b ? 0 : a ? 1 : -1;
    case RANK_DATE:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case RANK_OBJECTID:
      return compareStrings((a as ObjectId).toHexString(), (b as ObjectId).toHexString());
    case RANK_BINARY: {
      const x = a as Binary;
      const y = b as Binary;
      if (x.position !== y.position) return x.position < y.position ? -1 : 1;
      if (x.sub_type !== y.sub_type) return x.sub_type < y.sub_type ? -1 : 1;
      return compareBytes(x.value(), y.value());
    }
    case RANK_TIMESTAMP:
      return (a as Timestamp).compare(b as Timestamp);
    case RANK_ARRAY: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case RANK_OBJECT: {
      const xk = Object.keys(a as Doc);
      const yk = Object.keys(b as Doc);
      for (let i = 0; i < Math.min(xk.length, yk.length); i++) {
        const kx = xk[i] as string;
        const ky = yk[i] as string;
        const vx = (a as Doc)[kx];
        const vy = (b as Doc)[ky];
        const t = typeRank(vx) - typeRank(vy);
        if (t !== 0) return t < 0 ? -1 : 1;
        const k = compareStrings(kx, ky);
        if (k !== 0) return k;
        const c = compareValues(vx, vy);
        if (c !== 0) return c;
      }
      return xk.length === yk.length ? 0 : xk.length < yk.length ? -1 : 1;
    }
    default:
      return compareStrings(String(a), String(b));
  }
}

/**
 * A double as the store keeps it: a plain number, except an integral one in int32 range, which a
 * number would write back as an int32: that one stays a `Double`, so `$type: "double"` still
 * matches it and it goes back to clients as the double it was.
 */
export function storedDouble(value: number): number | Double {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff && !Object.is(value, -0)
    ? new Double(value)
    : value;
}

/**
 * `v` with stored doubles, int32s and safe Longs as plain numbers (copying only what changes), for
 * mingo's expression operators, which compute with JavaScript numbers only.
 */
export function plainNumbers<T>(v: T): T {
  if (v instanceof Double || v instanceof Int32) return v.value as T;
  if (v instanceof Long)
    return (v.lessThanOrEqual(SAFE_MAX) && v.greaterThanOrEqual(SAFE_MIN) ? v.toNumber() : v) as T;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = plainNumbers(v[i]);
      if (x !== v[i]) {
        out ??= [...v];
        out[i] = x;
      }
    }
    return (out ?? v) as T;
  }
  if (isPlainObject(v)) {
    let out: Doc | undefined;
    for (const k of Object.keys(v)) {
      const x = plainNumbers(v[k]);
      if (x !== v[k]) {
        out ??= { ...v };
        setOwn(out, k, x);
      }
    }
    return (out ?? v) as T;
  }
  return v;
}

/** `doc` with its `_id` as the first field (a fresh ObjectId when it has none), as MongoDB stores every document. */
export function withIdFirst(doc: Doc): Doc {
  if (!Object.hasOwn(doc, "_id")) return { _id: new ObjectId(), ...doc };
  for (const first in doc) {
    if (first === "_id") return doc;
    break;
  }
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/** Projection operators that keep their field where the document has it (not computed fields). */
const IN_PLACE = new Set(["$slice", "$elemMatch"]);

/** Whether a projection's value for a top-level field is an expression (a computed field). */
function isComputed(v: unknown): boolean {
  if (typeof v === "number" || typeof v === "boolean") return false;
  if (!isPlainObject(v)) return true;
  const keys = Object.keys(v);
  return keys.some((k) => k.startsWith("$")) && !keys.some((k) => IN_PLACE.has(k));
}

/**
 * `out` (a projection of `source` by `spec`) in MongoDB's field order, where mingo's puts `_id`
 * last: the fields kept from `source` in `source`'s order, then the fields the spec computes at
 * the top level in the spec's order (MongoDB sets those after the kept ones, even over a field of
 * the same name), then any other.
 */
export function inDocumentOrder(out: Doc, source: Doc, spec: Doc): Doc {
  const computed = Object.keys(spec).filter((field) => !field.includes(".") && isComputed(spec[field]));
  const ordered: Doc = {};
  for (const field of Object.keys(source))
    if (Object.hasOwn(out, field) && !computed.includes(field)) setOwn(ordered, field, out[field]);
  for (const field of [...computed, ...Object.keys(out)])
    if (Object.hasOwn(out, field) && !Object.hasOwn(ordered, field)) setOwn(ordered, field, out[field]);
  return ordered;
}

/**
 * `out`, computed by mingo from `plain = plainNumbers(stored)`, with every value it passed through
 * unchanged given back as stored (BSON number types included), at any depth. Computed values stay
 * as mingo made them.
 */
export function storedValues(out: unknown, plain: unknown, stored: unknown): unknown {
  if (plain === stored) return out;
  if (keyOf(out) === keyOf(plain)) return stored;
  if (Array.isArray(out) && Array.isArray(plain) && Array.isArray(stored)) {
    if (out.length !== plain.length) return out;
    for (let i = 0; i < out.length; i++) out[i] = storedValues(out[i], plain[i], stored[i]);
    return out;
  }
  if (isPlainObject(out) && isPlainObject(plain) && isPlainObject(stored)) {
    for (const k of Object.keys(out))
      if (Object.hasOwn(plain, k)) setOwn(out, k, storedValues(out[k], plain[k], stored[k]));
  }
  return out;
}

const SAFE_MAX = Long.fromNumber(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = Long.fromNumber(Number.MIN_SAFE_INTEGER);

/** Query equality: numbers of any BSON type compare by value, and null equals missing. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return compareValues(a, b) === 0;
}

function numberKey(n: unknown): string {
  const v = n instanceof Double || n instanceof Int32 ? n.value : n;
  if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 1e21) return `n${v === 0 ? 0 : v}`;
  if (v instanceof Long) return `n${v.toString()}`;
  const x = toExact(v);
  if (x.special) return `n${x.special}`;
  if (x.exp >= 0) return `n${x.neg ? "-" : ""}${(x.coef * 10n ** BigInt(x.exp)).toString()}`;
  return `n${x.neg ? "-" : ""}${x.coef}e${x.exp}`;
}

/**
 * A string that is equal for two values exactly when MongoDB's equality says they are equal.
 * Strings carry their length, so no string can pass for the separators of the arrays and compound
 * index keys these are joined into (`["a,sb"]` is not `["a", "b"]`).
 */
export function keyOf(v: unknown): string {
  switch (typeof v) {
    case "string":
      return `s${v.length}:${v}`;
    case "number":
      return numberKey(v);
    case "boolean":
      return v ? "b1" : "b0";
    case "undefined":
      return "z";
  }
  if (v === null) return "z";
  if (v instanceof ObjectId) return `o${v.toHexString()}`;
  if (v instanceof Date) return `d${v.getTime()}`;
  if (Array.isArray(v)) return `[${v.map(keyOf).join(",")}]`;
  if (isPlainObject(v)) {
    let out = "{";
    for (const k of Object.keys(v)) out += `${JSON.stringify(k)}:${keyOf(v[k])},`;
    return `${out}}`;
  }
  if (isNumeric(v)) return numberKey(v);
  if (v instanceof Binary) return `x${v.sub_type}:${Buffer.from(v.value()).toString("hex")}`;
  if (v instanceof RegExp) return `r${v.source.length}:${v.source}/${v.flags}`;
  const shown = String(v);
  return `?${bsonTypeName(v) ?? "unknown"}:${shown.length}:${shown}`;
}

/** A document's own field (a field named `__proto__` included, never anything inherited). */
export function ownValue(doc: Doc, key: string): unknown {
  return Object.hasOwn(doc, key) ? doc[key] : undefined;
}

/** Sets a document's own field; `__proto__` becomes an ordinary field, as in MongoDB, never the prototype. */
export function setOwn(doc: Doc, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(doc, key, { value, writable: true, enumerable: true, configurable: true });
  else doc[key] = value;
}

/** Copies plain objects and arrays; BSON values are immutable and shared. */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneDoc(v[k]));
    return out as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  return v;
}

/** Values of a dotted path, with arrays along the way expanded (the way indexes and distinct see them). */
export function pathValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  // One field (most index keys): no split, no walk.
  if (!path.includes(".")) {
    const v = isPlainObject(doc) ? doc[path] : undefined;
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else for (const x of v) out.push(x);
    } else if (Array.isArray(doc)) walkPath(doc, [path], 0, out);
    else out.push(v);
    return out;
  }
  walkPath(doc, path.split("."), 0, out);
  return out;
}

// A module-level function, not a closure made per call: tsx's keepNames wraps every named
// closure in a defineProperty call, which cost more than the walk itself on hot paths.
function walkPath(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else for (const x of v) out.push(x);
    } else out.push(v);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(v)) {
    if (/^\d+$/.test(part)) walkPath(v[Number(part)], parts, i + 1, out);
    else if (v.length === 0) walkPath(undefined, parts, parts.length, out);
    else for (const x of v) walkPath(x, parts, i, out);
    return;
  }
  walkPath(isPlainObject(v) ? v[part] : undefined, parts, isPlainObject(v) ? i + 1 : parts.length, out);
}

/** The single value at a dotted path without array expansion (for sort keys on scalars). */
export function getPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split(".")) {
    if (isPlainObject(v)) v = v[part];
    else if (Array.isArray(v)) {
      if (/^\d+$/.test(part)) v = v[Number(part)];
      else return pathValues(v, part);
    } else return undefined;
  }
  return v;
}

export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    let next = ownValue(cur, part);
    if (!isPlainObject(next)) {
      next = {};
      setOwn(cur, part, next);
    }
    cur = next as Doc;
  }
  setOwn(cur, parts[parts.length - 1] as string, value);
}
