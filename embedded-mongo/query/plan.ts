import { type Doc, isPlainObject, keyOf } from "../bson-values";
import type { IndexSpec } from "../storage/index-spec";
import type { CollectionView } from "../storage/view";
import type { Collation } from "./collation";
import { compileCollatedFilter, compileFilter } from "./matcher";

/**
 * Picks the documents a filter can match: an `_id` or secondary-index equality lookup when the
 * filter pins every field of an index to one value, else every document. The full filter is
 * always applied afterwards, so a lookup only narrows, never decides.
 */

/** The value a filter pins `field` to, or `undefined` when it does not pin it to a single value. */
function pinnedValue(filter: Doc, field: string): { value: unknown } | undefined {
  if (!Object.hasOwn(filter, field)) {
    const and = filter.$and;
    if (Array.isArray(and)) {
      for (const clause of and) {
        if (!isPlainObject(clause)) continue;
        const pinned = pinnedValue(clause, field);
        if (pinned) return pinned;
      }
    }
    return undefined;
  }
  let value = filter[field];
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.some((k) => k.startsWith("$"))) {
      if (keys.length !== 1 || keys[0] !== "$eq") return undefined;
      value = value.$eq;
      if (isPlainObject(value)) return { value };
    }
  }
  if (Array.isArray(value) || value instanceof RegExp) return undefined;
  return { value };
}

function idList(filter: Doc): unknown[] | undefined {
  const pinned = pinnedValue(filter, "_id");
  if (pinned) return [pinned.value];
  const id = filter._id;
  if (isPlainObject(id) && Object.keys(id).length === 1 && Array.isArray(id.$in)) {
    if (id.$in.some((v) => Array.isArray(v) || v instanceof RegExp || isPlainObject(v))) return undefined;
    return id.$in;
  }
  return undefined;
}

/** The index an equality lookup would use for `filter`, with the key it looks up. */
export function chooseIndex(
  view: CollectionView,
  filter: Doc,
): { index: IndexSpec; key: string } | undefined {
  let best: { index: IndexSpec; key: string } | undefined;
  for (const index of view.coll.indexes.values()) {
    if (index.name === "_id_" || !index.usableForEquality()) continue;
    const parts: string[] = [];
    for (const field of index.fields) {
      const pinned = pinnedValue(filter, field);
      if (!pinned) break;
      // A sparse index leaves out documents missing the field, which `null` would match.
      if (index.sparse && (pinned.value === null || pinned.value === undefined)) break;
      parts.push(keyOf(pinned.value));
    }
    if (parts.length !== index.fields.length) continue;
    if (!best || index.unique) best = { index, key: parts.join("|") };
    if (index.unique) break;
  }
  return best;
}

/** How `matchDocs` finds candidates for `filter`, in explain's words. */
export function planStage(view: CollectionView, filter: Doc): { stage: string; indexName?: string } {
  if (idList(filter)) return { stage: "IDHACK" };
  const best = chooseIndex(view, filter);
  return best ? { stage: "IXSCAN", indexName: best.index.name } : { stage: "COLLSCAN" };
}

function indexLookup(view: CollectionView, filter: Doc): Array<[string, Doc]> | undefined {
  const best = chooseIndex(view, filter);
  return best ? view.candidates(best.index, best.key) : undefined;
}

function candidates(view: CollectionView, filter: Doc): Iterable<[string, Doc]> {
  const ids = idList(filter);
  if (ids) {
    const out: Array<[string, Doc]> = [];
    const seen = new Set<string>();
    for (const value of ids) {
      const id = keyOf(value);
      if (seen.has(id)) continue;
      seen.add(id);
      const doc = view.get(id);
      if (doc) out.push([id, doc]);
    }
    return out;
  }
  return indexLookup(view, filter) ?? view.all();
}

/** Matching documents with their `_id` keys, in storage order; stops after `limit` when given. */
export function matchDocs(
  view: CollectionView,
  filter: Doc | undefined,
  limit = 0,
  collation?: Collation,
): Array<[string, Doc]> {
  const key = collation?.key;
  // Strings compared by collation key; the binary-ordered indexes cannot answer, so every document is read.
  const match = key ? compileCollatedFilter(filter, key) : compileFilter(filter);
  const out: Array<[string, Doc]> = [];
  for (const entry of key ? view.all() : candidates(view, filter ?? {})) {
    if (!match(entry[1])) continue;
    out.push(entry);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}
