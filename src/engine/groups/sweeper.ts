import type { GroupDoc } from "../../../models";
import type { EngineContext } from "../context";
import type { Settlement } from "./settle";

/**
 * Closes groups at their deadline without waiting for anyone's next command. It keeps no state:
 * each pass asks the database for open groups past their deadline (and closed groups not yet
 * settled), so it survives restarts, and every close is a conditional update, so two instances
 * sweeping at once close each group once.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<number> | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly settlement: Settlement,
    private readonly intervalMs = 5_000,
    /**
     * Runs first in every pass: gives back places whose payment window ended (payments on) and
     * lapses offers of freed places nobody took in time.
     */
    private readonly unpaid?: () => Promise<number>,
  ) {}

  /** One pass; returns how many groups it closed or settled. */
  async sweep(batch = 100): Promise<number> {
    const { Group } = this.ctx.models;
    const now = this.ctx.clock.now();
    let handled = (await this.unpaid?.()) ?? 0;
    const expired = await Group.find({ state: "open", expiresAt: { $lte: now } })
      .sort({ expiresAt: 1 })
      .limit(batch)
      .lean<GroupDoc[]>();
    for (const group of expired) {
      const closed = await this.ctx.tx((session) => this.settlement.closeExpired(session, group));
      if (closed) handled++;
    }
    // Left unsettled only by a crash on a server without transactions: finish the job.
    const unsettled = await Group.find({ settled: false, state: { $ne: "open" } })
      .limit(batch)
      .lean<GroupDoc[]>();
    for (const group of unsettled) {
      await this.ctx.tx((session) => this.settlement.settle(session, group));
      handled++;
    }
    if (handled > 0) this.ctx.kickOutbox();
    return handled;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.pass = this.sweep()
        .catch((error: unknown) => {
          this.ctx.log.warn({ err: error }, "group expiry sweep failed; retrying");
          return 0;
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer) clearTimeout(timer);
    await this.pass;
  }
}
