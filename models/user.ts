import { type Connection, type Model, Schema } from "mongoose";
import type { Platform } from "../src/kernel";

/** One person as one platform knows them. `_id` is the user key `platform:id`. */
export interface UserDoc {
  _id: string;
  platform: Platform;
  /** Platform-native id, the address a Messenger DMs. */
  platformId: string;
  displayName: string;
  /** Lower-cased handle, so a later `@name` mention resolves case-insensitively. */
  username?: string | null;
  email?: string | null;
  /** Shipping region code (upper case, e.g. `EU`). */
  region?: string | null;
  /** Created from a mention before the person ever wrote; filled in when they do. */
  placeholder: boolean;
  /** Set when a DM could never be delivered (DMs closed, bot never started); cleared when one gets through. */
  dmFailure?: { reason: string; at: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

export const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    platformId: { type: String, required: true },
    displayName: { type: String, required: true },
    username: { type: String, default: null },
    email: { type: String, default: null },
    region: { type: String, default: null },
    placeholder: { type: Boolean, required: true, default: false },
    dmFailure: { type: new Schema({ reason: String, at: Date }, { _id: false }), default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: "users", versionKey: false },
);
userSchema.index({ platform: 1, username: 1 });

export type UserModel = Model<UserDoc>;

export function bindUserModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<UserDoc>("User", userSchema);
}
