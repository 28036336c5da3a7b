import type { FetchResponseBody } from "@shopify/admin-api-client";

type Cost = NonNullable<NonNullable<FetchResponseBody["extensions"]>["cost"]>;

/**
 * Shopify's GraphQL cost limit is a leaky bucket of points: each call takes its requested cost,
 * the bucket refills at `restoreRate` points a second, and a call costing more than what is left
 * is refused as THROTTLED. Keeping the last reading of the bucket (and what each operation asked
 * for last time) lets a call wait for its points instead of being refused.
 */
export class CostBucket {
  private available?: number;
  private maximum = 0;
  private restoreRate = 0;
  private readAt = 0;
  private readonly costs = new Map<string, number>();

  observe(operation: string, cost: Cost, nowMs: number): void {
    if (cost.requestedQueryCost !== undefined) this.costs.set(operation, cost.requestedQueryCost);
    const status = cost.throttleStatus;
    if (status?.currentlyAvailable === undefined || !status.restoreRate) return;
    this.available = status.currentlyAvailable;
    this.maximum = status.maximumAvailable ?? Number.POSITIVE_INFINITY;
    this.restoreRate = status.restoreRate;
    this.readAt = nowMs;
  }

  /** Milliseconds to wait before `operation` so the bucket holds what it cost last time. */
  waitBefore(operation: string, nowMs: number): number {
    const needed = this.costs.get(operation);
    if (needed === undefined || this.available === undefined) return 0;
    const refilled = this.available + (this.restoreRate * (nowMs - this.readAt)) / 1000;
    const now = Math.min(this.maximum, refilled);
    return now >= needed ? 0 : Math.ceil(((needed - now) / this.restoreRate) * 1000);
  }

  /** Milliseconds until a THROTTLED call's requested cost is back in the bucket. */
  waitAfterThrottle(cost: Cost | undefined): number {
    const status = cost?.throttleStatus;
    const requested = cost?.requestedQueryCost;
    if (requested === undefined || status?.currentlyAvailable === undefined || !status.restoreRate)
      return 1000;
    const missing = Math.max(0, requested - status.currentlyAvailable);
    return Math.max(1, Math.ceil((missing / status.restoreRate) * 1000));
  }
}
