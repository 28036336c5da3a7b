import { type Doc, isPlainObject } from "../bson-values";
import { CommandError } from "../errors";

/**
 * Query operators the store does not run, refused the way MongoDB refuses them where it cannot
 * run them either, so a client's own fallbacks recognise the codes. Only filters headed for the
 * general (mingo) path are walked: the direct matcher never accepts these operators.
 */

const GEO_NEAR = new Set(["$near", "$nearSphere", "$geoNear"]);
const GEO_SHAPES = new Set(["$geoWithin", "$geoIntersects", "$within"]);

function refusalFor(operator: string): CommandError | undefined {
  if (operator === "$where") return new CommandError(2, "BadValue", "$where is not allowed in this context");
  if (operator === "$text")
    return new CommandError(
      27,
      "IndexNotFound",
      "text index required for $text query (the embedded store keeps no text indexes)",
    );
  if (GEO_NEAR.has(operator))
    return new CommandError(
      291,
      "NoQueryExecutionPlans",
      `error processing query: planner returned error :: caused by :: unable to find index for $geoNear query (the embedded store keeps no geospatial indexes)`,
    );
  if (GEO_SHAPES.has(operator))
    return new CommandError(238, "NotImplemented", `${operator} is not supported by the embedded store`);
  return undefined;
}

/** Throws MongoDB's refusal for the first unsupported operator anywhere in `filter`. */
export function refuseUnsupported(filter: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    const refusal = refusalFor(key);
    if (refusal) throw refusal;
    if (Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) refuseUnsupported(clause);
    } else if (isPlainObject(value)) refuseUnsupported(value);
  }
}

/** mingo's words for a filter it cannot compile, in MongoDB's. */
export function mongoParseError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^unknown query operator (\$\w+)/.exec(message);
  if (unknown) return new CommandError(2, "BadValue", `unknown operator: ${unknown[1]}`);
  if (message.startsWith("unknown top level operator"))
    return new CommandError(
      2,
      "BadValue",
      `${message}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
    );
  return new CommandError(2, "BadValue", message);
}
