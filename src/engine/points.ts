import type { LedgerEntryDoc } from "../../models";
import type { EngineContext } from "./context";

export interface PointsStatement {
  /** Sum of every entry; one point is one minor unit. */
  balance: number;
  /** Oldest first. */
  history: LedgerEntryDoc[];
}

export type Points = ReturnType<typeof createPoints>;

/** Credit points (a completed group's discounts, paid back): read from the append-only ledger; a balance is always derived. */
export function createPoints(ctx: EngineContext) {
  const { LedgerEntry } = ctx.models;
  return {
    statement(userKey: string): Promise<PointsStatement> {
      return ctx.guard(async () => {
        const history = await LedgerEntry.find({ userKey })
          .sort({ createdAt: 1, _id: 1 })
          .lean<LedgerEntryDoc[]>();
        return { balance: history.reduce((sum, entry) => sum + entry.amount, 0), history };
      });
    },
    balance(userKey: string): Promise<number> {
      return ctx.guard(async () => {
        const entries = await LedgerEntry.find({ userKey }, { amount: 1 }).lean<{ amount: number }[]>();
        return entries.reduce((sum, entry) => sum + entry.amount, 0);
      });
    },
  };
}
