import {
  cloneDoc,
  compareValues,
  type Doc,
  isNumeric,
  isPlainObject,
  keyOf,
  ownValue,
  setOwn,
} from "../bson-values";
import { CommandError, nonNumeric, pathNotViable, shownValue } from "../errors";
import { compileFilter } from "../query/matcher";
import { sortDocs } from "../query/sort";
import { combine, numericKind, zeroLike } from "./arithmetic";

/**
 * The update operators the app uses all the time ($set, $unset, $inc, $push, ...) on plain
 * dotted paths, applied directly. mingo's updater rebuilds its operator tables on every call,
 * which made a contended findOneAndUpdate cost a millisecond; anything unusual (positional
 * paths, array indexes, modifiers, type surprises) still goes to mingo: `undefined` means "not mine".
 */

type Apply = (parent: Doc, field: string) => boolean;
/** A path, what to do at it, and whether it creates the objects on the way (decided when it runs). */
type Step = [string[], Apply, boolean | (() => boolean)];

function plainPath(path: string): string[] | undefined {
  const parts = path.split(".");
  for (const part of parts) if (part === "" || part.includes("$") || /^\d+$/.test(part)) return undefined;
  return parts;
}

function opFor(op: string, value: unknown): Apply | undefined {
  switch (op) {
    case "$set":
      return (p, f) => {
        const changed = !Object.hasOwn(p, f) || keyOf(ownValue(p, f)) !== keyOf(value);
        setOwn(p, f, cloneDoc(value));
        return changed;
      };
    case "$unset":
      return (p, f) => {
        if (!Object.hasOwn(p, f)) return false;
        delete p[f];
        return true;
      };
    case "$inc":
    case "$mul":
      if (!isNumeric(value)) return undefined;
      return (p, f) => {
        const old = ownValue(p, f);
        if (old === undefined) {
          setOwn(p, f, op === "$inc" ? value : zeroLike(value));
          return true;
        }
        // The common case, int32 with int32 staying int32, without the general type rules.
        if (isInt32(old) && isInt32(value)) {
          const sum = op === "$inc" ? old + value : old * value;
          if (isInt32(sum)) {
            setOwn(p, f, sum);
            return sum !== old;
          }
        }
        if (!isNumeric(old)) throw new NonNumeric(op, f, old);
        const next = combine(op, old, value);
        if (next === undefined) throw new NotMine();
        const changed = compareValues(next, old) !== 0 || numericKind(next) !== numericKind(old);
        setOwn(p, f, next);
        return changed;
      };
    case "$min":
    case "$max":
      return (p, f) => {
        const c = Object.hasOwn(p, f) ? compareValues(value, ownValue(p, f)) : op === "$min" ? -1 : 1;
        if ((op === "$min" && c < 0) || (op === "$max" && c > 0)) {
          setOwn(p, f, cloneDoc(value));
          return true;
        }
        return false;
      };
    case "$currentDate":
      if (value !== true && !(isPlainObject(value) && value.$type === "date")) return undefined;
      return (p, f) => {
        setOwn(p, f, new Date());
        return true;
      };
    case "$push":
    case "$addToSet":
      return arrayAppend(op, value);
    case "$pull": {
      const pulls = pullCondition(value);
      return (p, f) => {
        const old = ownValue(p, f);
        if (old === undefined) return false;
        if (!Array.isArray(old)) throw new NotMine();
        const kept = old.filter((x) => !pulls(x));
        setOwn(p, f, kept);
        return kept.length !== old.length;
      };
    }
  }
  return undefined;
}

const LOGICAL = new Set(["$and", "$or", "$nor"]);

/**
 * Which elements `$pull` removes: a condition of operators only (`{ $gte: 6 }`) tests each value;
 * any other document (fields, `$or`, `$elemMatch`…) is a query each document element must match;
 * anything else is an equality.
 */
function pullCondition(value: unknown): (x: unknown) => boolean {
  if (value instanceof RegExp) return (x) => typeof x === "string" && value.test(x);
  if (!isPlainObject(value)) return (x) => compareValues(x, value) === 0;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => k.startsWith("$") && !LOGICAL.has(k))) {
    const match = compileFilter({ v: value });
    return (x) => match({ v: x });
  }
  const match = compileFilter(value);
  return (x) => isPlainObject(x) && match(x);
}

const isInt32 = (v: unknown): v is number => typeof v === "number" && (v | 0) === v && !Object.is(v, -0);

class NotMine extends Error {}

/** `$inc` / `$mul` met a value that is no number (null included); reported with the document's `_id`. */
class NonNumeric extends Error {
  constructor(
    readonly op: string,
    readonly field: string,
    readonly value: unknown,
  ) {
    super(op);
  }
}

const PUSH_MODIFIERS = new Set(["$each", "$sort", "$slice", "$position"]);

/** $push (with $each, $position, $sort, $slice) and $addToSet (with $each). */
function arrayAppend(op: string, value: unknown): Apply | undefined {
  let items: unknown[] = [value];
  let spec: Doc = {};
  if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"))) {
    spec = value;
    const allowed = op === "$push" ? PUSH_MODIFIERS : new Set(["$each"]);
    if (!Object.keys(spec).every((k) => allowed.has(k)) || !Array.isArray(spec.$each)) return undefined;
    items = spec.$each;
    if (spec.$slice !== undefined && !Number.isInteger(spec.$slice)) return undefined;
    if (spec.$position !== undefined && !Number.isInteger(spec.$position)) return undefined;
    if (spec.$sort !== undefined && spec.$sort !== 1 && spec.$sort !== -1 && !isPlainObject(spec.$sort))
      return undefined;
  }
  return (p, f) => {
    const old = ownValue(p, f);
    if (old !== undefined && !Array.isArray(old)) {
      throw new CommandError(2, "BadValue", `The field '${f}' must be an array but is of type ${typeof old}`);
    }
    let list = old === undefined ? [] : [...old];
    const added: unknown[] = [];
    for (const item of items) {
      if (op === "$addToSet" && [...list, ...added].some((x) => keyOf(x) === keyOf(item))) continue;
      added.push(cloneDoc(item));
    }
    let at = typeof spec.$position === "number" ? spec.$position : list.length;
    if (at < 0) at = Math.max(0, list.length + at);
    list.splice(Math.min(at, list.length), 0, ...added);
    if (spec.$sort !== undefined) {
      list = isPlainObject(spec.$sort)
        ? sortDocs(list, spec.$sort, (x) => (isPlainObject(x) ? x : {}))
        : [...list].sort((a, b) => compareValues(a, b) * (spec.$sort as number));
    }
    if (typeof spec.$slice === "number")
      list = spec.$slice >= 0 ? list.slice(0, spec.$slice) : list.slice(spec.$slice);
    setOwn(p, f, list);
    return old === undefined || keyOf(old) !== keyOf(list);
  };
}

/**
 * Copies `doc` along each updated path, so the original (a stored version other readers may still
 * hold) stays untouched and everything the update leaves alone is shared rather than cloned.
 * Returns the (copied) object holding the path's last field, creating objects on the way: null when
 * one is missing and `create` is off, undefined when an array or scalar is in the way. A write that
 * would create a field inside an array or a scalar is MongoDB's PathNotViable (paths here hold no
 * array indexes: those go to mingo).
 */
function writableParent(
  root: Doc,
  parts: string[],
  create: boolean,
  copies: Set<Doc>,
): Doc | undefined | null {
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const next = ownValue(cur, part);
    if (next === undefined) {
      if (!create) return null;
      const made: Doc = {};
      copies.add(made);
      setOwn(cur, part, made);
      cur = made;
    } else if (isPlainObject(next)) {
      if (copies.has(next)) cur = next;
      else {
        const copy = { ...next };
        copies.add(copy);
        setOwn(cur, part, copy);
        cur = copy;
      }
    } else if (create)
      throw pathNotViable(`Cannot create field '${parts[i + 1]}' in element {${part}: ${shownValue(next)}}`);
    else return undefined;
  }
  return cur;
}

/**
 * `$rename` as MongoDB runs it, an `$unset` of the source and a `$set` of its value at the
 * target (which is only created when the source exists); done here rather than by mingo, which
 * refuses a `__proto__` field.
 */
function renameSteps(from: string[], to: string[]): Step[] {
  let moved: unknown;
  const take: Apply = (p, f) => {
    moved = ownValue(p, f);
    if (moved === undefined) return false;
    delete p[f];
    return true;
  };
  const put: Apply = (p, f) => {
    if (moved === undefined) return false;
    setOwn(p, f, moved);
    return true;
  };
  return [
    [from, take, false],
    [to, put, () => moved !== undefined],
  ];
}

/** Two paths of one update where one equals or contains the other (`[inner, outer]`), if any. */
export function firstConflict(paths: string[]): [string, string] | undefined {
  const sorted = [...paths].sort();
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as string;
    const cur = sorted[i] as string;
    if (cur === prev || cur.startsWith(`${prev}.`)) return [cur, prev];
  }
  return undefined;
}

/**
 * The updated document and whether anything changed, leaving `doc` itself as it was; `undefined`
 * when mingo must do it.
 */
export function fastUpdate(doc: Doc, update: Doc): { doc: Doc; changed: boolean } | undefined {
  const steps: Step[] = [];
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!isPlainObject(fields)) return undefined;
    for (const [path, value] of Object.entries(fields)) {
      const parts = plainPath(path);
      if (op === "$rename") {
        const target = typeof value === "string" ? plainPath(value) : undefined;
        if (!parts || !target) return undefined;
        paths.push(path, value as string);
        steps.push(...renameSteps(parts, target));
        continue;
      }
      const apply = parts && opFor(op, value);
      if (!parts || !apply) return undefined;
      paths.push(path);
      steps.push([parts, apply, op !== "$unset" && op !== "$pull"]);
    }
  }
  // Overlapping paths are a MongoDB error (ConflictingUpdateOperators), reported by the general path.
  if (firstConflict(paths)) return undefined;
  const root: Doc = { ...doc };
  const copies = new Set<Doc>([root]);
  try {
    let changed = false;
    for (const [parts, apply, creates] of steps) {
      const parent = writableParent(root, parts, typeof creates === "boolean" ? creates : creates(), copies);
      if (parent === null) continue;
      if (parent === undefined) throw new NotMine();
      if (apply(parent, parts[parts.length - 1] as string)) changed = true;
    }
    return { doc: root, changed };
  } catch (error) {
    // Only copies were written to: dropping them leaves `doc` as it was.
    if (error instanceof NonNumeric) throw nonNumeric(error.op, doc._id, error.field, error.value);
    if (!(error instanceof NotMine)) throw error;
    return undefined;
  }
}
