import { describe, expect, it } from "@jest/globals";
import { Long } from "bson";
import fc from "fast-check";
import { type Doc, isPlainObject, keyOf, pathValues } from "../bson-values";
import { IndexSpec } from "../storage/index-spec";

/**
 * Index keys are computed on every write, so they have a shortcut for one-field indexes and a
 * path walk without per-call closures; these properties hold both to the plain definition.
 */

/** The definition: walk the dotted path, expanding arrays on the way and at the end. */
function referencePathValues(doc: unknown, path: string): unknown[] {
  const parts = path.split(".");
  const out: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(v)) {
        if (v.length === 0) out.push(undefined);
        else for (const x of v) out.push(x);
      } else out.push(v);
      return;
    }
    const part = parts[i] as string;
    if (Array.isArray(v)) {
      if (/^\d+$/.test(part)) walk(v[Number(part)], i + 1);
      else if (v.length === 0) walk(undefined, parts.length);
      else for (const x of v) walk(x, i);
      return;
    }
    walk(isPlainObject(v) ? v[part] : undefined, isPlainObject(v) ? i + 1 : parts.length);
  };
  walk(doc, 0);
  return out;
}

/** The definition: every combination of the fields' distinct value keys, `|`-joined. */
function referenceKeys(fields: string[], sparse: boolean, doc: Doc): string[] {
  if (sparse && fields.every((f) => referencePathValues(doc, f).every((v) => v === undefined))) return [];
  let keys = [""];
  for (const field of fields) {
    const values = referencePathValues(doc, field);
    const parts = values.length === 0 ? ["z"] : [...new Set(values.map(keyOf))];
    const next: string[] = [];
    for (const prefix of keys)
      for (const part of parts) next.push(prefix === "" ? part : `${prefix}|${part}`);
    keys = next;
  }
  return keys;
}

const scalar = fc.oneof(
  fc.integer({ min: -2, max: 2 }),
  fc.integer({ min: -2, max: 2 }).map((n) => Long.fromNumber(n)),
  fc.constantFrom("x", "y"),
  fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.record({ b: tie("v"), c: scalar }, { requiredKeys: [] }),
  ),
})).v;
const doc = fc.record({ a: value, b: value }, { requiredKeys: [] });
const path = fc.constantFrom("a", "b", "a.b", "a.0", "a.b.c", "a.c", "z");

describe("index keys", () => {
  it("path values match the definition for any document and dotted path", () => {
    fc.assert(
      fc.property(fc.oneof(doc, value), path, (d, p) => {
        expect(pathValues(d, p)).toEqual(referencePathValues(d, p));
      }),
      { numRuns: 3000 },
    );
  });

  it("keys of one- and two-field, sparse or not, indexes match the definition", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(path, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        doc,
        (fields, sparse, d) => {
          const index = new IndexSpec({
            key: Object.fromEntries(fields.map((f) => [f, 1])),
            name: "i",
            sparse,
          });
          expect(index.keysOf(d)).toEqual(referenceKeys(fields, sparse, d));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
