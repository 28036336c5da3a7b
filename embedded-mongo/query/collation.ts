import { type Doc, isPlainObject } from "../bson-values";
import { CommandError } from "../errors";

/**
 * A command's `collation`, for string comparisons in matching and sorting: `locale` (any locale
 * the runtime's ICU knows; "simple" is MongoDB's binary order, the default) and `strength` 1
 * (base letters: case and accents ignored) to 3 (the default: case and accents count), plus
 * `numericOrdering`. Indexes are built in binary order, so a collated query scans.
 */
export interface Collation {
  compare(a: string, b: string): number;
  /** A string equal for two strings exactly when this collation calls them equal (strength 1 and 2). */
  key: ((s: string) => string) | undefined;
}

const KNOWN = new Set([
  "locale",
  "strength",
  "caseLevel",
  "caseFirst",
  "numericOrdering",
  "alternate",
  "maxVariable",
  "backwards",
  "normalization",
  "version",
]);

const badCollation = (message: string) => new CommandError(2, "BadValue", message);

/** The collation a command asks for, or undefined for MongoDB's simple binary comparison. */
export function collationOf(spec: unknown): Collation | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw new CommandError(14, "TypeMismatch", "collation must be an object");
  for (const key of Object.keys(spec))
    if (!KNOWN.has(key))
      throw new CommandError(40415, "Location40415", `BSON field 'collation.${key}' is an unknown field.`);
  const locale = spec.locale;
  if (typeof locale !== "string")
    throw new CommandError(
      40414,
      "Location40414",
      "BSON field 'collation.locale' is missing but a required field",
    );
  if (locale === "simple") return undefined;
  if (
    Intl.Collator.supportedLocalesOf([locale.replace(/@.*$/, "").replace(/_/g, "-")]).length === 0 &&
    locale !== "root"
  )
    throw badCollation(`Field 'locale' is invalid in: ${JSON.stringify(spec)}`);
  const strength = spec.strength === undefined ? 3 : Number(spec.strength);
  if (![1, 2, 3, 4, 5].includes(strength))
    throw badCollation("collation strength must be an integer from 1 to 5");
  const tag = locale === "root" ? "und" : locale.replace(/@.*$/, "").replace(/_/g, "-");
  const collator = new Intl.Collator(tag, {
    sensitivity: strength === 1 ? "base" : strength === 2 ? "accent" : "variant",
    numeric: spec.numericOrdering === true,
    ...(spec.caseFirst === "upper" || spec.caseFirst === "lower" ? { caseFirst: spec.caseFirst } : {}),
  });
  const lower = (s: string) => s.toLocaleLowerCase(tag);
  const key =
    strength === 1
      ? (s: string) => lower(s.normalize("NFD").replace(/\p{M}/gu, ""))
      : strength === 2
        ? lower
        : undefined;
  return { compare: (a, b) => collator.compare(a, b), key };
}

/** Operators whose string operands are compared as values; any other operator's operand is kept as written. */
const COMPARING = new Set([
  "$eq",
  "$ne",
  "$in",
  "$nin",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$all",
  "$and",
  "$or",
  "$nor",
  "$not",
  "$elemMatch",
]);

/**
 * `v` with every string value replaced by its collation key; `$regex`, `$type` and other
 * operators' operands are left alone (MongoDB's regexes are not collation-aware either).
 */
export function collated<T>(v: T, key: (s: string) => string): T {
  if (typeof v === "string") return key(v) as T;
  if (Array.isArray(v)) return v.map((x) => collated(x, key)) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) {
      const value = k.startsWith("$") && !COMPARING.has(k) ? v[k] : collated(v[k], key);
      Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
    }
    return out as T;
  }
  return v;
}
