import { describe, expect, it } from "@jest/globals";
import {
  Binary,
  BSON,
  BSONRegExp,
  BSONSymbol,
  Code,
  DBRef,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
} from "bson";
import fc from "fast-check";
import { deserializeDocument } from "../protocol/bson-decode";

/**
 * Commands are decoded by the store's own lean reader, which hands anything unusual to bson.
 * Whatever the bytes, it must give exactly what `BSON.deserialize` gives without promoting
 * numbers, in the store's forms (int32 and non-ambiguous doubles as numbers), or fail where bson fails.
 */

const OPTIONS = { promoteLongs: false, promoteValues: false, validation: { utf8: false } } as const;

/** bson's unpromoted values in the store's forms, written out independently of the store's code. */
function storeForm(v: unknown): unknown {
  if (v instanceof Int32) return v.value;
  if (v instanceof Double) {
    const x = v.value;
    const ambiguous = Number.isInteger(x) && Math.abs(x) <= 2 ** 31 && x !== 2 ** 31 && !Object.is(x, -0);
    return ambiguous ? v : x;
  }
  if (v instanceof BSONSymbol) return v.valueOf();
  if (Array.isArray(v)) return v.map(storeForm);
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, {
        value: storeForm(x),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    return out;
  }
  return v;
}

const reference = (bytes: Buffer) => storeForm(BSON.deserialize(bytes, OPTIONS));

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), 2 ** 53 + 2),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n), -(2n ** 53n) - 1n).map((n) => Long.fromBigInt(n)),
  fc.integer().map((n) => new Int32(n)),
  fc.double().map((n) => new Double(n)),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((t) => new Date(t)),
  fc.constant(new Date(Number.NaN)),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => new UUID(b)),
  fc
    .tuple(fc.uint8Array({ maxLength: 20 }), fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80))
    .map(([b, t]) => new Binary(b, t)),
  fc.integer().map((n) => Decimal128.fromString(String(n))),
  fc.constantFrom(
    new Timestamp({ t: 1, i: 2 }),
    new MinKey(),
    new MaxKey(),
    new BSONRegExp("a+b", "i"),
    /x.y/g,
    new Code("function () {}"),
    new Code("x", { a: 1 }),
    new BSONSymbol("sym"),
    new DBRef("users", new ObjectId("64b7f0c2a1b2c3d4e5f60718")),
  ),
);

const key = fc.oneof(
  fc.constantFrom("_id", "a", "b", "$db", "$ref", "$id", "__proto__", "lsid", "é", ""),
  fc.string({ maxLength: 40 }).filter((s) => !s.includes("\u0000")),
);

const tree: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("doc"),
    fc.array(tie("value"), { maxLength: 4 }),
  ),
  doc: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
})).doc as fc.Arbitrary<Record<string, unknown>>;

function outcome(bytes: Buffer, decode: (b: Buffer) => unknown): { value?: unknown; error?: string } {
  try {
    return { value: decode(bytes) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Deep equality that also compares prototypes and byte contents, and takes two invalid Dates as
 * equal (node's isDeepStrictEqual and jest both call them different, NaN not being NaN).
 */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof RegExp) return String(a) === String(b);
  if (ArrayBuffer.isView(a)) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b as Uint8Array);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function sameOutcome(bytes: Buffer): void {
  const lean = outcome(bytes, deserializeDocument);
  const expected = outcome(bytes, reference);
  if (expected.error !== undefined || lean.error !== undefined) {
    expect(lean.error).toBe(expected.error);
    return;
  }
  if (!same(lean.value, expected.value)) expect(lean.value).toStrictEqual(expected.value);
  expect(same(lean.value, expected.value)).toBe(true);
}

describe("command decoding", () => {
  it("gives bson's document for any document bson writes", () => {
    fc.assert(
      fc.property(tree, (doc) => {
        sameOutcome(Buffer.from(BSON.serialize(doc)));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives bson's document or bson's error for damaged bytes", () => {
    fc.assert(
      fc.property(
        tree,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (doc, damage) => {
          const bytes = Buffer.from(BSON.serialize(doc));
          for (const [at, byte] of damage) bytes[at % bytes.length] = byte;
          sameOutcome(bytes);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("decodes a driver's command with its session id the way bson does", () => {
    const command = {
      findAndModify: "cart_sessions",
      query: { _id: "s1", version: 0, expiresAt: { $gt: new Date(1_700_000_000_000) } },
      update: { $inc: { version: 1 }, $set: { lines: [{ sku: "KB-75", qty: 1, unitPrice: 12900 }] } },
      new: true,
      lsid: { id: new UUID() },
      txnNumber: Long.fromNumber(37),
      $db: "crowdcart",
    };
    const bytes = Buffer.from(BSON.serialize(command));
    const decoded = deserializeDocument(bytes);
    expect(same(decoded, reference(bytes))).toBe(true);
    expect((decoded.lsid as { id: unknown }).id).toBeInstanceOf(UUID);
    expect(decoded.txnNumber).toEqual(Long.fromNumber(37));
  });

  it("keeps every number's BSON type: int64 as Long, an integral double as Double, others as numbers", () => {
    const bytes = Buffer.from(
      BSON.serialize({ long: Long.fromNumber(5), whole: new Double(3), half: 2.5, big: 2 ** 40, int: 7 }),
    );
    const decoded = deserializeDocument(bytes);
    expect(decoded.long).toEqual(Long.fromNumber(5));
    expect(decoded.whole).toEqual(new Double(3));
    expect(decoded.half).toBe(2.5);
    expect(decoded.big).toBe(2 ** 40);
    expect(decoded.int).toBe(7);
  });
});
