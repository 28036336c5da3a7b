import { type Doc, isPlainObject } from "../bson-values";
import { failedToParse } from "../errors";
import { collationOf } from "../query/collation";
import { matchDocs } from "../query/plan";
import { projectDocs } from "../query/project";
import { sortDocs } from "../query/sort";
import { applyUpdate, upsertDocument } from "../update/apply-update";
import { type CommandContext, type CommandHandler, collectionName, viewOf } from "./context";
import { validateDocument } from "./validation";
import { updateSpecOf } from "./write";

// A module function rather than a closure per command: tsx's keepNames makes each named closure a defineProperty call.
function project(doc: Doc, fields: unknown, filter: Doc): Doc | null {
  return projectDocs([doc], fields, filter)[0] ?? null;
}

/** findAndModify: one document, updated or removed, returned before or after (`new`). Errors are top-level. */
function findAndModify(command: Doc, ctx: CommandContext): Doc {
  const name = collectionName(command, Object.keys(command)[0] ?? "findAndModify");
  const filter = isPlainObject(command.query) ? command.query : {};
  const remove = command.remove === true;
  if (remove && command.update !== undefined)
    throw failedToParse("Cannot specify both an update and remove=true");
  if (!remove && command.update === undefined)
    throw failedToParse("Either an update or remove=true must be specified");
  if (remove && command.upsert === true)
    throw failedToParse("Cannot specify both upsert=true and remove=true");
  const returnNew = command.new === true;
  const arrayFilters = Array.isArray(command.arrayFilters) ? (command.arrayFilters as Doc[]) : undefined;
  const view = viewOf(ctx, name, !remove)!;

  const sorted = isPlainObject(command.sort) && Object.keys(command.sort).length > 0;
  const collation = collationOf(command.collation);
  let matches = view ? matchDocs(view, filter, sorted ? 0 : 1, collation) : [];
  if (sorted) matches = sortDocs(matches, command.sort, (e) => e[1], collation).slice(0, 1);
  const found = matches[0];

  if (remove) {
    if (!found) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    view.remove(found[0]);
    return { lastErrorObject: { n: 1 }, value: project(found[1], command.fields, filter), ok: 1 };
  }
  const spec = updateSpecOf(command.update);
  if (!found) {
    if (command.upsert !== true) {
      return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    }
    const doc = upsertDocument(filter, spec, arrayFilters);
    validateDocument(view.coll, doc, undefined, command);
    view.insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: returnNew ? project(doc, command.fields, filter) : null,
      ok: 1,
    };
  }
  const [id, before] = found;
  const after = applyUpdate(before, spec, filter, arrayFilters);
  if (after) {
    validateDocument(view.coll, after, before, command);
    view.replace(id, after);
  }
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: project(returnNew ? (after ?? before) : before, command.fields, filter),
    ok: 1,
  };
}

export const findAndModifyCommands: Record<string, CommandHandler> = {
  findAndModify,
  findandmodify: findAndModify,
};
