import { type Connection, type Model, Schema } from "mongoose";

/**
 * Keys the engine generates for itself when the operator configured none, shared by every process
 * on the database. Keeping such a key next to the data protects nothing against a dump; that is why
 * configuring the secret (SESSION_CODE_SECRET) is the production setting.
 */
export interface EngineSecretDoc {
  _id: string;
  /** base64 of the key bytes. */
  key: string;
  createdAt: Date;
}

export const engineSecretSchema = new Schema<EngineSecretDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: "engine_secrets", versionKey: false },
);

export type EngineSecretModel = Model<EngineSecretDoc>;

export function bindEngineSecretModel(connection: Connection): EngineSecretModel {
  return (
    (connection.models.EngineSecret as EngineSecretModel | undefined) ??
    connection.model<EngineSecretDoc>("EngineSecret", engineSecretSchema)
  );
}
