import { type Connection, type Model, Schema } from "mongoose";

/**
 * Codes a sender presented that matched nothing (session codes and group codes alike), per sender
 * and window: enough misses and the sender is refused for the rest of the window, so nobody
 * sweeps serials or group codes.
 */
export interface CodeMissDoc {
  /** The sender key (a user key, or `web:<address>` for the pages). */
  _id: string;
  windowStart: Date;
  misses: number;
}

const codeMissSchema = new Schema<CodeMissDoc>(
  {
    _id: { type: String, required: true },
    windowStart: { type: Date, required: true },
    misses: { type: Number, required: true, default: 0 },
  },
  { collection: "code_misses", versionKey: false },
);

export type CodeMissModel = Model<CodeMissDoc>;

export function bindCodeMissModel(connection: Connection): CodeMissModel {
  return (
    (connection.models.CodeMiss as CodeMissModel | undefined) ??
    connection.model<CodeMissDoc>("CodeMiss", codeMissSchema)
  );
}
