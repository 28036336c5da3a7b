import { compareValues, type Doc, isPlainObject, pathValues } from "../bson-values";
import { badValue } from "../errors";
import type { Collation } from "./collation";

/** Sorts by a MongoDB sort spec: arrays sort by their smallest (ascending) or largest (descending) element. */
export function sortDocs<T>(items: T[], spec: unknown, docOf: (item: T) => Doc, collation?: Collation): T[] {
  // Strings under a collation compare by it; everything else in MongoDB's BSON order.
  const compare = collation
    ? (a: unknown, b: unknown) =>
        typeof a === "string" && typeof b === "string" ? collation.compare(a, b) : compareValues(a, b)
    : compareValues;
  if (!isPlainObject(spec)) return items;
  const fields: Array<[string, number]> = [];
  for (const [field, dir] of Object.entries(spec)) {
    if (field === "$natural") continue;
    if (isPlainObject(dir)) continue; // { $meta: ... } has nothing to sort by here
    const n = Number(dir);
    if (n !== 1 && n !== -1) throw badValue(`bad sort specification for ${field}`);
    fields.push([field, n]);
  }
  if (fields.length === 0) return items;
  const keyed = items.map((item) => {
    const doc = docOf(item);
    const keys = fields.map(([field, dir]) => {
      const values = pathValues(doc, field);
      let pick = values[0];
      for (let i = 1; i < values.length; i++) {
        const c = compare(values[i], pick);
        if ((dir > 0 && c < 0) || (dir < 0 && c > 0)) pick = values[i];
      }
      return pick;
    });
    return { item, keys };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const c = compare(a.keys[i], b.keys[i]);
      if (c !== 0) return c * (fields[i] as [string, number])[1];
    }
    return 0;
  });
  return keyed.map((k) => k.item);
}
