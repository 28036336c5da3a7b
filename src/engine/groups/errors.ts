import type { GroupDoc } from "../../../models";
import { formatUtcDigits } from "../../format";
import { UserError } from "../errors";

/** The user errors of groups, in one place so their codes and wording stay consistent. */

export function unknownGroup(input: string): UserError {
  return new UserError(
    "UNKNOWN_GROUP",
    `There is no group "${input}"; check the 13-character code in your invitation, e.g. /join 7KQ3M9XW2HBPD`,
  );
}

export function groupExpired(group: GroupDoc): UserError {
  return new UserError(
    "GROUP_EXPIRED",
    `Group ${group._id} expired at ${formatUtcDigits(group.expiresAt)}; ask the organiser to open a new one`,
  );
}

export function groupComplete(group: GroupDoc): UserError {
  return new UserError(
    "GROUP_COMPLETE",
    `Group ${group._id} is complete (${group.memberCount} of ${group.max} places taken); ask the organiser to open a new one`,
  );
}

export function groupFailed(group: GroupDoc): UserError {
  return new UserError(
    "GROUP_FAILED",
    `Group ${group._id} closed at ${formatUtcDigits(group.expiresAt)} without enough members; ask the organiser to open a new one`,
  );
}

export function alreadyJoined(group: GroupDoc): UserError {
  return new UserError(
    "ALREADY_JOINED",
    `You already joined group ${group._id}; type /group ${group._id} to see its status`,
  );
}

/** Why a group refuses a join right now, or undefined when it would accept one. */
export function joinRefusal(group: GroupDoc, userKey: string, now: Date): UserError | undefined {
  if (group.members.some((m) => m.userKey === userKey)) return alreadyJoined(group);
  if (group.state === "complete") return groupComplete(group);
  if (group.state === "failed") return groupFailed(group);
  if (group.expiresAt.getTime() <= now.getTime()) return groupExpired(group);
  if (group.memberCount >= group.max) return groupComplete(group);
  return undefined;
}
