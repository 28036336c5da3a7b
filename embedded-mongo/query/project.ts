import { Query } from "mingo/query";
import { cloneDoc, type Doc, getPath, inDocumentOrder, isPlainObject, setOwn, setPath } from "../bson-values";
import { badValue } from "../errors";
import { compileFilter, storeContext } from "./matcher";

/**
 * Applies a find projection: plain inclusions, exclusions and the positional `a.$` through mingo;
 * `$slice` and `$elemMatch` here, the way MongoDB treats them: `$slice` keeps every other field
 * unless the rest of the projection includes fields, and `$elemMatch` includes its field.
 */
export function projectDocs(docs: Doc[], projection: unknown, filter: Doc | undefined): Doc[] {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
  const plain = topLevelFields(projection);
  if (plain) return docs.map((doc) => pickFields(doc, plain));
  const slices: Array<[string, unknown]> = [];
  const elemMatches: Array<[string, Doc]> = [];
  const rest: Doc = {};
  for (const [field, spec] of Object.entries(projection)) {
    if (isPlainObject(spec) && "$slice" in spec) slices.push([field, spec.$slice]);
    else if (isPlainObject(spec) && "$elemMatch" in spec) {
      if (field.includes(".")) throw badValue("Cannot use $elemMatch projection on a nested field.");
      if (!isPlainObject(spec.$elemMatch)) throw badValue("elemMatch: Invalid argument, object required.");
      elemMatches.push([field, spec.$elemMatch]);
    } else setOwn(rest, field, spec);
  }
  if (slices.length === 0 && elemMatches.length === 0) return mingoProject(docs, projection, filter);
  const restKeys = Object.keys(rest).filter((k) => k !== "_id");
  const including = restKeys.length > 0 ? restKeys.some((k) => isInclusion(rest[k])) : elemMatches.length > 0;
  const base = rest;
  if (including) for (const [field] of [...slices, ...elemMatches]) setOwn(base, field, 1);
  const shaped =
    Object.keys(base).length === 0
      ? docs.map((d) => cloneDoc(d))
      : mingoProject(docs, base, filter).map(cloneDoc);
  const matchers = elemMatches.map(([field, cond]): [string, (x: unknown) => boolean] => {
    const match = compileFilter({ v: { $elemMatch: cond } });
    return [field, (x) => match({ v: [x] })];
  });
  return shaped.map((doc, i) => {
    for (const [field, spec] of slices) {
      const value = getPath(doc, field);
      if (Array.isArray(value)) setPath(doc, field, sliced(value, spec));
    }
    const original = docs[i] as Doc;
    for (const [field, matches] of matchers) {
      const list = original[field];
      const hit = Array.isArray(list) ? list.find(matches) : undefined;
      delete doc[field];
      if (hit !== undefined) setOwn(doc, field, [cloneDoc(hit)]);
    }
    return doc;
  });
}

function isInclusion(spec: unknown): boolean {
  return (
    spec === true ||
    (typeof spec === "number" && spec !== 0) ||
    isPlainObject(spec) ||
    typeof spec === "string"
  );
}

/**
 * The common projection, whole top-level fields kept or left out (`{ a: 1, b: 1 }`, `{ a: 0 }`),
 * read without mingo, whose query set-up costs more than the rest of a small write. Anything
 * else (dotted paths, operators, a mix of both kinds) is not plain: undefined.
 */
function topLevelFields(projection: Doc): { include: boolean; fields: Set<string>; id: boolean } | undefined {
  let include: boolean | undefined;
  let id = true;
  const fields = new Set<string>();
  for (const [field, spec] of Object.entries(projection)) {
    if (field.includes(".") || field.startsWith("$")) return undefined;
    if (typeof spec !== "number" && typeof spec !== "boolean") return undefined;
    const kept = spec === true || (typeof spec === "number" && spec !== 0);
    if (field === "_id") {
      id = kept;
      continue;
    }
    if (include !== undefined && include !== kept) return undefined;
    include = kept;
    fields.add(field);
  }
  // `{ _id: 1 }` alone keeps just the id, `{ _id: 0 }` alone everything else.
  return { include: include ?? id, fields, id };
}

function pickFields(doc: Doc, plain: { include: boolean; fields: Set<string>; id: boolean }): Doc {
  const out: Doc = {};
  for (const field of Object.keys(doc)) {
    const kept = field === "_id" ? plain.id : plain.fields.has(field) === plain.include;
    if (kept) setOwn(out, field, doc[field]);
  }
  return out;
}

/** `$slice: n` (first n, or last -n) or `$slice: [skip, limit]` (skip counted from the end when negative). */
function sliced(list: unknown[], spec: unknown): unknown[] {
  if (typeof spec === "number") return spec >= 0 ? list.slice(0, spec) : list.slice(spec);
  if (
    Array.isArray(spec) &&
    spec.length === 2 &&
    typeof spec[0] === "number" &&
    typeof spec[1] === "number"
  ) {
    if (spec[1] <= 0) throw badValue("$slice limit must be positive");
    const start = spec[0] < 0 ? Math.max(0, list.length + spec[0]) : spec[0];
    return list.slice(start, start + spec[1]);
  }
  throw badValue("$slice only supports numbers and [skip, limit] arrays");
}

/**
 * mingo's projection (the positional `a.$` form needs the filter), its top-level fields put back
 * in the document's order: mingo moves `_id` to the end, MongoDB keeps the stored order.
 */
function mingoProject(docs: Doc[], projection: Doc, filter: Doc | undefined): Doc[] {
  const positional = Object.keys(projection).some((k) => k.endsWith(".$"));
  const query = new Query(positional ? (filter ?? {}) : {}, { context: storeContext, useStrictMode: true });
  const projected = query.find<Doc>(docs, projection).all();
  if (projected.length !== docs.length) return projected;
  return projected.map((out, i) => inDocumentOrder(out, docs[i] as Doc, projection));
}
