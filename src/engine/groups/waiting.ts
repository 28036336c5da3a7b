import type { GroupDoc, WaitlistEntry } from "../../../models";

/** Those of a group's waitlist still waiting for a place, in order (a sibling group took the others). */
export function waitingOf(group: Pick<GroupDoc, "waitlist">): WaitlistEntry[] {
  return (group.waitlist ?? []).filter((entry) => entry.placedIn === null);
}
