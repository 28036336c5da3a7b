import { type Doc, isPlainObject } from "../bson-values";
import { CommandError } from "../errors";
import { compileFilter, type Matcher } from "../query/matcher";
import type { Collection } from "../storage/collection";

/**
 * Collection validators (`validator`, `validationLevel`, `validationAction`, set by create or
 * collMod): a document that fails one is refused with DocumentValidationFailure, as MongoDB does.
 */

const compiled = new WeakMap<Doc, Matcher>();

function matcherFor(validator: Doc): Matcher {
  let match = compiled.get(validator);
  if (!match) {
    match = compileFilter(validator);
    compiled.set(validator, match);
  }
  return match;
}

/** Refuses a validator, level or action MongoDB would refuse, before it is stored. */
export function checkValidationOptions(options: Doc): void {
  if (options.validator !== undefined) {
    if (!isPlainObject(options.validator))
      throw new CommandError(14, "TypeMismatch", "validator must be an object");
    matcherFor(options.validator);
  }
  const enums: Array<[string, string[]]> = [
    ["validationLevel", ["off", "strict", "moderate"]],
    ["validationAction", ["error", "warn"]],
  ];
  for (const [field, allowed] of enums) {
    const value = options[field];
    if (value !== undefined && !allowed.includes(String(value)))
      throw new CommandError(
        2,
        "BadValue",
        `Enumeration value '${String(value)}' for field '${field}' is not a valid value.`,
      );
  }
}

/**
 * Throws when `doc` may not be stored in `coll`. `before` is the version an update replaces:
 * at validationLevel "moderate" a document that already failed may keep failing.
 */
export function validateDocument(coll: Collection, doc: Doc, before: Doc | undefined, command: Doc): void {
  const options = coll.options;
  if (options.validator === undefined) return;
  const { validator, validationLevel, validationAction } = options;
  if (!isPlainObject(validator) || validationLevel === "off" || validationAction === "warn") return;
  if (command.bypassDocumentValidation === true) return;
  const match = matcherFor(validator);
  if (match(doc)) return;
  if (before && validationLevel === "moderate" && !match(before)) return;
  throw new CommandError(121, "DocumentValidationFailure", "Document failed validation", {
    errInfo: { failingDocumentId: doc._id, details: { operatorName: topOperator(validator) } },
  });
}

/** The operator MongoDB's failure details name: a lone top-level operator, else the implicit `$and`. */
function topOperator(validator: Doc): string {
  const keys = Object.keys(validator);
  return keys.length === 1 && keys[0]?.startsWith("$") ? (keys[0] as string) : "$and";
}
