import { describe, expect, it } from "@jest/globals";
import { Decimal128, Int32, Long, ObjectId } from "bson";
import fc from "fast-check";
import type { Doc } from "../bson-values";
import { compileFilter, compileWithMingo } from "../query/matcher";

/**
 * The store matches plain equalities and comparison operators itself instead of building a mingo
 * query per command; these properties hold it to mingo's answer (with the store's own operators)
 * over random documents and filters, including mixed numeric types, arrays and dotted paths.
 */

const ids = [new ObjectId("64b7f0c2a1b2c3d4e5f60718"), new ObjectId("64b7f0c2a1b2c3d4e5f60719")];
const dates = [new Date(0), new Date(1_700_000_000_000), new Date(1_700_000_000_001)];

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0, Number.NaN, 2.0000001, 1e21),
  fc.integer({ min: -3, max: 3 }).map((n) => Long.fromNumber(n)),
  fc.integer({ min: -3, max: 3 }).map((n) => new Int32(n)),
  fc.integer({ min: -3, max: 3 }).map((n) => Decimal128.fromString(String(n))),
  fc.constantFrom("", "a", "b", "ab"),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(...dates),
  fc.constantFrom(...ids),
);

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.record({ b: scalar }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.record({ b: scalar }, { requiredKeys: [] }), { maxLength: 2 }) },
);

const doc: fc.Arbitrary<Doc> = fc.record(
  { _id: fc.integer(), a: value, b: value, c: value },
  { requiredKeys: ["_id"] },
);

const field = fc.constantFrom("a", "b", "c", "a.b", "missing");
const operator = fc.constantFrom("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin");
const operand = (op: string): fc.Arbitrary<unknown> =>
  op === "$in" || op === "$nin" ? fc.array(scalar, { maxLength: 3 }) : scalar;
const operators: fc.Arbitrary<Doc> = fc
  .uniqueArray(operator, { minLength: 1, maxLength: 2 })
  .chain((ops) => fc.tuple(...ops.map((op) => operand(op).map((v) => [op, v] as const))))
  .map((pairs) => Object.fromEntries(pairs));
/** At least one field with operators: a filter of plain equalities only keeps the store's older matcher. */
const flat: fc.Arbitrary<Doc> = fc
  .tuple(field, operators, fc.dictionary(field, fc.oneof(scalar, operators), { maxKeys: 2 }))
  .map(([f, ops, rest]) => ({ ...rest, [f]: ops }));
/** Sub-filters of `$and` / `$or` / `$nor` may be anything the direct matcher takes, plain equalities too. */
const sub: fc.Arbitrary<Doc> = fc.dictionary(field, fc.oneof(scalar, operators), { maxKeys: 2 });
const logical: fc.Arbitrary<Doc> = fc
  .tuple(
    fc.constantFrom("$and", "$or", "$nor"),
    fc.array(
      fc.oneof(
        sub,
        fc
          .constantFrom("$and", "$or")
          .chain((op) => fc.array(sub, { maxLength: 2 }).map((l) => ({ [op]: l }))),
      ),
      { maxLength: 3 },
    ),
    fc.dictionary(field, fc.oneof(scalar, operators), { maxKeys: 2 }),
  )
  .map(([op, branches, rest]) => ({ ...rest, [op]: branches }));
const filter: fc.Arbitrary<Doc> = fc.oneof(flat, logical);

function outcome(run: () => boolean): boolean | string {
  try {
    return run();
  } catch (error) {
    return `throws: ${error instanceof Error ? error.message : String(error)}`;
  }
}

describe("direct filter matching", () => {
  it("gives mingo's answer for filters with comparison operators on any document", () => {
    fc.assert(
      fc.property(filter, fc.array(doc, { minLength: 1, maxLength: 5 }), (f, docs) => {
        const direct = compileFilter(f);
        const general = compileWithMingo(f);
        for (const d of docs) expect(outcome(() => direct(d))).toEqual(outcome(() => general(d)));
      }),
      { numRuns: 2000 },
    );
  });

  it("decides a plain equality next to an operator the way mingo does, dotted paths included", () => {
    const docs: Doc[] = [{ _id: 0, a: [] }, { _id: 1, a: [{ c: 1 }] }, { _id: 2 }, { _id: 3, a: { b: 1 } }];
    for (const f of [
      { "a.b": null, _id: { $gte: 0 } },
      { $or: [{ "a.b": null }] },
      { $and: [{ "a.b": null }] },
    ]) {
      const direct = compileFilter(f);
      expect(docs.map((d) => direct(d))).toEqual(docs.map((d) => compileWithMingo(f)(d)));
    }
  });

  it("matches the outbox claim's $and of $or filters like mingo does", () => {
    const now = new Date(1_700_000_000_000);
    const f = {
      $and: [
        {
          $or: [
            { status: "pending", nextAttemptAt: { $lte: now } },
            { status: "sending", leaseUntil: { $lte: now } },
          ],
        },
        { $or: [{ kind: "shipping" }, { kind: "dm", platform: { $in: ["slack", "telegram"] } }] },
      ],
    };
    const docs: Doc[] = [
      { _id: 1, status: "pending", nextAttemptAt: now, kind: "dm", platform: "slack" },
      { _id: 2, status: "pending", nextAttemptAt: new Date(now.getTime() + 1), kind: "shipping" },
      { _id: 3, status: "sending", leaseUntil: new Date(0), kind: "dm", platform: "discord" },
      { _id: 4, status: "sending", leaseUntil: new Date(0), kind: "shipping" },
      { _id: 5, status: "sent", kind: "shipping" },
    ];
    const direct = compileFilter(f);
    expect(docs.map((d) => direct(d))).toEqual([true, false, false, true, false]);
    expect(docs.map((d) => direct(d))).toEqual(docs.map((d) => compileWithMingo(f)(d)));
  });

  it("matches the app's conditional cart update filter like mingo does", () => {
    const now = new Date(1_700_000_000_000);
    const f = { _id: "s1", version: 0, status: "open", expiresAt: { $gt: now } };
    const docs: Doc[] = [
      { _id: "s1", version: 0, status: "open", expiresAt: new Date(now.getTime() + 1) },
      { _id: "s1", version: 0, status: "open", expiresAt: now },
      { _id: "s1", version: 1, status: "open", expiresAt: new Date(now.getTime() + 1) },
      { _id: "s1", version: Long.fromNumber(0), status: "open", expiresAt: new Date(now.getTime() + 1) },
      { _id: "s1", version: 0, status: "closed", expiresAt: new Date(now.getTime() + 1) },
      { _id: "s1", version: 0, status: "open" },
    ];
    const direct = compileFilter(f);
    expect(docs.map((d) => direct(d))).toEqual([true, false, false, true, false, false]);
    expect(docs.map((d) => direct(d))).toEqual(docs.map((d) => compileWithMingo(f)(d)));
  });
});
