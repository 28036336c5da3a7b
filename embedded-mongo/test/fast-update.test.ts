import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { update as mingoUpdate } from "mingo";
import { cloneDoc, type Doc } from "../bson-values";
import { CommandError } from "../errors";
import { applyUpdate } from "../update/apply-update";
import { fastUpdate } from "../update/fast-update";

/**
 * The common update operators are applied without mingo, copying only the objects on each
 * updated path: the stored version they start from (which snapshots and cursors may still hold)
 * must stay exactly as it was, and the result must be what mingo's updater gives.
 */

const scalar = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom("x", "y"), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    fc.record({ b: tie("v"), c: scalar }, { requiredKeys: [], noNullPrototype: true }),
  ),
})).v;
const doc = fc.record(
  { _id: fc.constant(1), a: value, b: value, n: fc.integer({ min: -5, max: 5 }) },
  {
    requiredKeys: ["_id"],
    noNullPrototype: true,
  },
);

const path = fc.constantFrom("a", "b", "n", "a.b", "a.c", "a.b.c", "z.y");
const sameAsMingo = [
  fc.tuple(fc.constant("$set"), value),
  fc.tuple(fc.constant("$unset"), fc.constant("")),
  fc.tuple(fc.constant("$push"), scalar),
  fc.tuple(fc.constant("$pull"), scalar),
  fc.tuple(fc.constant("$rename"), path),
];
// Where the store and mingo's updater part ways: $min and $max compare across types in MongoDB's
// BSON order, $addToSet keeps duplicates already in the array, $inc takes a null field as 0.
const mongoOnly = [
  fc.tuple(fc.constant("$inc"), fc.integer({ min: -2, max: 2 })),
  fc.tuple(fc.constant("$min"), scalar),
  fc.tuple(fc.constant("$max"), scalar),
  fc.tuple(fc.constant("$addToSet"), scalar),
];

function updates(operations: Array<fc.Arbitrary<[string, unknown]>>): fc.Arbitrary<Doc> {
  return fc
    .uniqueArray(fc.tuple(path, fc.oneof(...operations)), {
      minLength: 1,
      maxLength: 3,
      selector: ([p]) => p,
    })
    .map((steps) => {
      const out: Record<string, Doc> = {};
      for (const [p, [op, v]] of steps) out[op] = { ...(out[op] ?? {}), [p]: v };
      return out as Doc;
    });
}

const RUNS = 3000;

/** Runs an update the store may refuse, as MongoDB would (a CommandError); any other throw is a bug. */
function attempt<T>(run: () => T): T | CommandError {
  try {
    return run();
  } catch (error) {
    if (error instanceof CommandError) return error;
    throw error;
  }
}

describe("fast update", () => {
  it("leaves the document it starts from untouched, whatever the update", () => {
    fc.assert(
      fc.property(doc, updates([...sameAsMingo, ...mongoOnly]), (d, u) => {
        const before = cloneDoc(d);
        attempt(() => applyUpdate(d, u, {}, undefined));
        expect(d).toStrictEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  // The store refuses some updates mingo takes ($push onto a non-array, as MongoDB does) and mingo
  // refuses some the store leaves to the general path: only updates both carry out are compared.
  it("gives mingo's document wherever it takes an update both accept", () => {
    let compared = 0;
    fc.assert(
      fc.property(doc, updates(sameAsMingo), (d, u) => {
        const general = cloneDoc(d);
        const fast = attempt(() => fastUpdate(d, u));
        try {
          mingoUpdate(general, u as never, undefined, undefined, { cloneMode: "none" });
        } catch {
          return;
        }
        if (fast === undefined || fast instanceof CommandError) return;
        expect(fast.doc).toEqual(general);
        compared++;
      }),
      { numRuns: RUNS },
    );
    // About a third of random updates are both accepted and taken by the fast path.
    expect(compared).toBeGreaterThanOrEqual(RUNS / 5);
  });

  it("shares the parts of the document an update leaves alone instead of copying them", () => {
    const d: Doc = {
      _id: 1,
      owner: { platform: "slack", id: "U1" },
      lines: [{ sku: "A", qty: 1 }],
      version: 0,
    };
    const next = applyUpdate(d, { $inc: { version: 1 }, $set: { "owner.id": "U2" } }, {}, undefined);
    expect(next).toEqual({
      _id: 1,
      owner: { platform: "slack", id: "U2" },
      lines: [{ sku: "A", qty: 1 }],
      version: 1,
    });
    expect(d).toEqual({
      _id: 1,
      owner: { platform: "slack", id: "U1" },
      lines: [{ sku: "A", qty: 1 }],
      version: 0,
    });
    expect(next?.lines).toBe(d.lines);
    expect(next?.owner).not.toBe(d.owner);
  });
});
