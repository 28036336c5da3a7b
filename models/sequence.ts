import { type Connection, type Model, Schema } from "mongoose";

/**
 * Named counters shared by every process on one database. `$inc` on a single document is atomic,
 * so two processes never draw the same number and the numbers they draw keep increasing.
 */
export interface SequenceDoc {
  _id: string;
  value: number;
}

export const sequenceSchema = new Schema<SequenceDoc>(
  { _id: { type: String, required: true }, value: { type: Number, required: true, default: 0 } },
  { collection: "sequences", versionKey: false },
);

export type SequenceModel = Model<SequenceDoc>;

export function bindSequenceModel(connection: Connection): SequenceModel {
  return (
    (connection.models.Sequence as SequenceModel | undefined) ??
    connection.model<SequenceDoc>("Sequence", sequenceSchema)
  );
}

/**
 * The next value of counter `name` (1, 2, 3, ...). Deliberately outside any transaction: a counter
 * document touched inside concurrent transactions would make them conflict, and a gap left by a
 * rolled-back caller is harmless (serials need to increase, not to be dense).
 */
export async function nextSequence(model: SequenceModel, name: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await model
        .findOneAndUpdate({ _id: name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: "after" })
        .lean();
      if (!doc) throw new Error(`sequence ${name}: upsert returned nothing`);
      return doc.value;
    } catch (error) {
      // Two first-ever upserts can race on the same _id; the loser simply increments the winner's doc.
      if (isDuplicateKey(error) && attempt < 3) continue;
      throw error;
    }
  }
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 11000;
}
