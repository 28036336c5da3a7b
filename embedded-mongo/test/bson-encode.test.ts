import { describe, expect, it } from "@jest/globals";
import {
  Binary,
  BSON,
  BSONRegExp,
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
import { serializeAfter } from "../protocol/bson-encode";

/**
 * Replies are written by the store's own lean BSON writer, which hands anything unusual to bson:
 * for any document it must give exactly the bytes `BSON.serialize` gives (or leave it to bson).
 */

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 1),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((t) => new Date(t)),
  fc.constant(new Date(Number.NaN)),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b)),
  fc.constantFrom(
    new UUID("21dc9ad7-b6d4-45d7-8f02-34dd137cf3c8"),
    new Binary(Buffer.from("abc")),
    new Int32(7),
    new Double(1.5),
    Decimal128.fromString("1.5"),
    new Timestamp({ t: 1, i: 2 }),
    new MinKey(),
    new MaxKey(),
    new BSONRegExp("a", "i"),
    /x/g,
    new Map([["a", 1]]),
    { _bsontype: "Nope" },
    Buffer.from("raw"),
  ),
);

const key = fc.oneof(
  fc.constantFrom("_id", "a", "ok", "$db", "é", "", "with\u0000nul", "__proto__"),
  fc.string({ maxLength: 20 }),
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

function bsonBytes(doc: Record<string, unknown>): Buffer | string {
  try {
    return Buffer.from(BSON.serialize(doc));
  } catch (error) {
    return `throws: ${error instanceof Error ? error.message : String(error)}`;
  }
}

describe("reply encoding", () => {
  it("writes bson's bytes for any document it takes, and leaves the rest (and bson's errors) to bson", () => {
    fc.assert(
      fc.property(tree, (doc) => {
        const lean = serializeAfter(3, doc);
        if (!lean) return;
        const expected = bsonBytes(doc);
        expect(typeof expected).not.toBe("string");
        expect(lean.subarray(3).equals(expected as Buffer)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("writes the usual replies itself", () => {
    const docs = [
      { ok: 1 },
      { n: 1, ok: 1 },
      {
        lastErrorObject: { n: 1, updatedExisting: true },
        value: { _id: "s1", lines: [{ sku: "KB-75", qty: 1 }], expiresAt: new Date(1_700_000_000_000) },
        ok: 1,
      },
      { cursor: { firstBatch: [{ _id: new ObjectId() }], id: Long.ZERO, ns: "db.c" }, ok: 1 },
    ];
    for (const doc of docs) {
      const lean = serializeAfter(0, doc);
      expect(lean).toBeDefined();
      expect(lean?.equals(Buffer.from(BSON.serialize(doc)))).toBe(true);
    }
  });

  it("grows past its first buffer and still writes bson's bytes", () => {
    const doc = { big: "x".repeat(200_000), list: Array.from({ length: 5000 }, (_, i) => ({ i, s: "é" })) };
    const lean = serializeAfter(21, doc);
    expect(lean?.subarray(21).equals(Buffer.from(BSON.serialize(doc)))).toBe(true);
  });
});
