import { type Doc, isPlainObject, ownValue } from "../bson-values";
import { badValue, shownValue } from "../errors";

/**
 * MongoDB's refusals of a `$rename` (2 BadValue), checked for every one before anything is written:
 * a field renamed to itself or along its own path, and a field inside an array (numeric path parts
 * included: `arr.0`) or, when the source exists, into one, where mingo silently did nothing, dropped
 * the field or padded the array with nulls.
 */
export function checkRenames(doc: Doc, update: Doc): void {
  const renames = update.$rename;
  if (!isPlainObject(renames)) return;
  for (const [from, to] of Object.entries(renames)) {
    if (typeof to !== "string") continue;
    const shown = `${from}: ${shownValue(to)}`;
    if (from === to) throw badValue(`The source and target field for $rename must differ: ${shown}`);
    if (to.startsWith(`${from}.`) || from.startsWith(`${to}.`))
      throw badValue(`The source and target field for $rename must not be on the same path: ${shown}`);
  }
  for (const [from, to] of Object.entries(renames))
    if (typeof to === "string") checkRenameThroughArrays(doc, from.split("."), to.split("."));
}

function checkRenameThroughArrays(doc: Doc, from: string[], to: string[]): void {
  const arrayOnPath = (parts: string[]): { value: unknown; array?: string } => {
    let cur: unknown = doc;
    for (let i = 0; i < parts.length; i++) {
      if (Array.isArray(cur)) return { value: undefined, array: parts[i - 1] };
      cur = isPlainObject(cur) ? ownValue(cur, parts[i] as string) : undefined;
      if (cur === undefined) return { value: undefined };
    }
    return { value: cur };
  };
  const source = arrayOnPath(from);
  const where = (parts: string[], array: string) =>
    `'${parts.join(".")}' in doc with _id: ${shownValue(doc._id)} has an array field called '${array}'`;
  if (source.array)
    throw badValue(`The source field cannot be an array element, ${where(from, source.array)}`);
  if (source.value === undefined) return;
  const target = arrayOnPath(to);
  if (target.array)
    throw badValue(`The destination field cannot be an array element, ${where(to, target.array)}`);
}
