import type { GroupDoc } from "../../../models";
import { type UserError, userError } from "../errors";
import { offeredOf, placesTaken } from "./waiting";

/** Why a group refuses a join right now, or undefined when it would accept one. */
export function joinRefusal(group: GroupDoc, userKey: string, now: Date): UserError | undefined {
  const code = group._id;
  if (group.members.some((m) => m.userKey === userKey)) return userError("ALREADY_JOINED", { code });
  if (group.state === "complete") return groupComplete(group);
  if (group.state === "failed") return userError("GROUP_FAILED", { code, at: group.expiresAt });
  if (group.expiresAt.getTime() <= now.getTime())
    return userError("GROUP_EXPIRED", { code, at: group.expiresAt });
  // Full counting the places held for the waitlist; one holding such a place takes it through the waitlist.
  if (placesTaken(group) >= group.max || offeredOf(group).some((e) => e.userKey === userKey))
    return groupComplete(group);
  return undefined;
}

function groupComplete(group: GroupDoc): UserError {
  return userError("GROUP_COMPLETE", { code: group._id, members: group.memberCount, max: group.max });
}

/** No group has the code as typed. */
export function unknownGroup(input: string): UserError {
  return userError("UNKNOWN_GROUP", { code: input });
}
