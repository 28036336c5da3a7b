import { Query } from "mingo/query";
import { type Doc, isPlainObject } from "../bson-values";
import { storeContext } from "./matcher";

/** Applies a find projection through mingo (the positional `a.$` form needs the filter). */
export function projectDocs(docs: Doc[], projection: unknown, filter: Doc | undefined): Doc[] {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0) return docs;
  const positional = Object.keys(projection).some((k) => k.endsWith(".$"));
  const query = new Query(positional ? (filter ?? {}) : {}, { context: storeContext, useStrictMode: true });
  return query.find<Doc>(docs, projection).all();
}
