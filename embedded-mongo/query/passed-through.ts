import { type Doc, isPlainObject, setOwn, storedValues } from "../bson-values";

/** Stages that hand each document on with its fields as they were (some dropped, none changed). */
const UNCHANGING = new Set(["$match", "$sort", "$limit", "$skip", "$sample", "$unset"]);

/** `n: "$n"`: the field's own value, passed through. */
const isItself = (path: string, v: unknown) => v === `$${path}`;

const topField = (path: unknown) => String(path).replace(/^\$/, "").split(".")[0] ?? "";

/**
 * The top-level fields a pipeline computes, or undefined when a stage makes documents of its own
 * ($group, $replaceRoot, $unionWith, $facet, ...), whose `_id` no longer names the source document
 * they came from. A field only included by a $project (or set to itself, `n: "$n"`) keeps its
 * stored value.
 */
export function computedFields(stages: Doc[]): Set<string> | undefined {
  const computed = new Set<string>();
  for (const stage of stages) {
    const name = Object.keys(stage)[0] ?? "";
    const spec = stage[name];
    if (UNCHANGING.has(name)) continue;
    if (name === "$project" && isPlainObject(spec)) {
      for (const [path, v] of Object.entries(spec))
        if ((typeof v === "object" || typeof v === "string") && !isItself(path, v))
          computed.add(topField(path));
    } else if ((name === "$addFields" || name === "$set") && isPlainObject(spec)) {
      for (const [path, v] of Object.entries(spec)) if (!isItself(path, v)) computed.add(topField(path));
    } else if (name === "$lookup" && isPlainObject(spec)) {
      computed.add(topField(spec.as));
    } else if (name === "$unwind") {
      const options = isPlainObject(spec) ? spec : { path: spec };
      computed.add(topField(options.path));
      if (options.includeArrayIndex !== undefined) computed.add(topField(options.includeArrayIndex));
    } else return undefined;
  }
  // A computed _id may name another source document, whose types its fields would pick up.
  return computed.has("_id") ? undefined : computed;
}

/**
 * `out` (a pipeline's result for `plain = plainNumbers(stored)`) with the fields the pipeline did not
 * compute given back as stored, BSON number types included, so a Long or an integral double is not
 * returned (or written) as a plain number. Computed values stay as mingo made them.
 */
export function withStoredFields(out: Doc, plain: Doc, stored: Doc, computed: Set<string>): Doc {
  for (const field of Object.keys(out))
    if (!computed.has(field) && Object.hasOwn(plain, field))
      setOwn(out, field, storedValues(out[field], plain[field], stored[field]));
  return out;
}
