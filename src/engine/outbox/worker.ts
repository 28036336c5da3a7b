import { randomUUID } from "node:crypto";
import type { Collection } from "mongodb";
import type { OutboxDoc, SendSlotDoc } from "../../../models";
import type { Platform } from "../../kernel";
import type { OrderBook, OrderBookResult, ShippingRequest } from "../../storefront/port";
import type { EngineContext } from "../context";
import type { DeliveryResult, Messenger, TakeSlot } from "../messenger";
import { showCard } from "./card-delivery";
import { SharedPacer } from "./pace";
import type { ShippingRelay } from "./relay";
import { shippingRequestId } from "./writer";

export interface OutboxOptions {
  /** How long a claim is exclusive; a worker that dies holding one loses it after this. */
  leaseMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Retryable DM failures after which the DM is given up and recorded as undeliverable. */
  maxDmAttempts: number;
  /** Idle wait between scans when nothing kicked the worker. */
  pollMs: number;
  /**
   * Messages of one queue (shipping, or one platform's DMs) delivered in parallel: enough that
   * waiting on database round trips never leaves a platform's send slots unused.
   */
  concurrency: number;
  /** Delivered messages are removed this long after delivery (OUTBOX_RETENTION); failed ones are kept. */
  retentionMs: number;
  /**
   * A group's card that changed while its last edit was on its way is edited again this long
   * after: a burst of changes makes one edit per interval, the last state in the last one.
   */
  cardEditIntervalMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  leaseMs: 60_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 15 * 60_000,
  maxDmAttempts: 10,
  pollMs: 1_000,
  concurrency: 6,
  retentionMs: 7 * 24 * 3_600_000,
  cardEditIntervalMs: 3_000,
};

/** How often (real time) a running worker removes delivered messages past their retention. */
const PURGE_EVERY_MS = 60_000;

/** How long a cancellation waits, at a time, for its order's request to be accepted first. */
const CANCELLATION_WAIT_MS = 1_000;

/**
 * Delivers the outbox. Each message is claimed with an atomic findOneAndUpdate that sets a lease,
 * so any number of workers (in any number of processes) share the work and a message is sent by
 * one of them; a worker killed after claiming leaves a lease that expires, and the message is then
 * claimed again and sent once. Leases and back-off run on the engine clock.
 */
export class OutboxWorker {
  readonly workerId = randomUUID();
  private readonly messengers = new Map<Platform, Messenger>();
  private readonly pacer: SharedPacer;
  private readonly options: OutboxOptions;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  /** Cancellations this process put off, by the id of the request they wait for. */
  private readonly cancellationsWaiting = new Map<string, string>();
  private lastPurge = Number.NEGATIVE_INFINITY;
  /** Makes the payment provider calls queued with state changes (set when payments are on). */
  private payments: ((doc: OutboxDoc) => Promise<DeliveryResult>) | undefined;
  private readonly orders: OrderBook | undefined;

  constructor(
    private readonly ctx: EngineContext,
    /** Where shipping requests go; none, or one not configured, holds them. */
    orders: OrderBook | undefined,
    options: Partial<OutboxOptions> = {},
    /** Queues the shipping requests of orders written without one, before each pass claims. */
    private readonly relay?: ShippingRelay,
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
    this.orders = orders?.configured ? orders : undefined;
    this.pacer = new SharedPacer(ctx.models.SendSlot.collection as unknown as Collection<SendSlotDoc>);
  }

  registerMessenger(messenger: Messenger): void {
    this.messengers.set(messenger.platform, messenger);
    this.kick();
  }

  registerPayments(deliver: (doc: OutboxDoc) => Promise<DeliveryResult>): void {
    this.payments = deliver;
    this.kick();
  }

  /** What this worker can deliver, one filter per queue: shipping requests, payments, then each platform's messages. */
  private queues(): object[] {
    return [
      { kind: "shipping" },
      ...(this.payments ? [{ kind: "payment" }] : []),
      // A platform's DMs and status cards share its queue: an idle pass costs one claim a platform.
      ...[...this.messengers.keys()].map((platform) => ({ platform })),
    ];
  }

  /** Claims the next due message this worker can deliver (of one queue, when given), or null. */
  async claim(queue?: object): Promise<OutboxDoc | null> {
    const now = this.ctx.clock.now();
    const deliverable = queue ? [queue] : this.queues();
    const due: object[] = [
      { status: "pending", nextAttemptAt: { $lte: now } },
      { status: "sending", leaseUntil: { $lte: now } },
    ];
    // Shipping requests kept while no URL was configured go out once one is.
    if (this.orders) due.push({ status: "held", kind: "shipping" });
    return this.ctx.models.OutboxMessage.findOneAndUpdate(
      { $and: [{ $or: due }, { $or: deliverable }] },
      {
        $set: {
          status: "sending",
          leaseOwner: this.workerId,
          leaseUntil: new Date(now.getTime() + this.options.leaseMs),
        },
        $inc: { attempts: 1 },
      },
      { sort: { nextAttemptAt: 1 }, returnDocument: "after" },
    ).lean<OutboxDoc>();
  }

  /** Delivers one claimed message and records the outcome (only while this worker still holds the lease). */
  async deliver(doc: OutboxDoc): Promise<void> {
    if (doc.kind === "shipping") return this.deliverShipping(doc);
    if (doc.kind === "card") return this.deliverCard(doc);
    if (doc.kind === "payment") return this.deliverPayment(doc);
    const dm = doc.dm;
    const messenger = dm ? this.messengers.get(dm.platform) : undefined;
    if (!dm || !messenger) {
      await this.release(doc, "no messenger for this platform");
      return;
    }
    let answered: () => void;
    try {
      answered = await this.pacer.wait(messenger, dm.userId);
    } catch (error) {
      await this.release(doc, `no send slot: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    let result: DeliveryResult;
    try {
      result = await messenger.send(
        {
          id: doc._id,
          platform: dm.platform,
          userId: dm.userId,
          text: dm.text,
          ...(dm.buttons.length > 0 ? { buttons: dm.buttons } : {}),
        },
        async (budget, perSecond) => {
          // The messenger paces its own requests from here on: each holds its budget's turn instead.
          answered();
          answered = await this.pacer.take(`${dm.platform}:${budget}`, perSecond);
        },
      );
    } catch (error) {
      result = { ok: false, retryable: true, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      answered();
    }
    const { User } = this.ctx.models;
    if (result.ok) {
      if (await this.finish(doc, { status: "sent", sentAt: this.ctx.clock.now(), lastError: null })) {
        await User.updateOne({ _id: dm.userKey, dmFailure: { $ne: null } }, { $set: { dmFailure: null } });
        this.ctx.userChanged(dm.userKey);
      }
      return;
    }
    if (result.retryable && result.retryAfterMs !== undefined) {
      // The platform's rate limit (429): a wait it named, not a failed attempt. Every instance
      // holds off, and this message goes again once the wait is over.
      await this.pacer.holdOff(dm.platform, result.retryAfterMs);
      const next = new Date(this.ctx.clock.now().getTime() + result.retryAfterMs);
      await this.finish(doc, { status: "pending", nextAttemptAt: next, lastError: result.reason }, -1);
      return;
    }
    if (result.retryable && doc.attempts < this.options.maxDmAttempts) {
      await this.retry(doc, result.reason, result.retryAfterMs);
      return;
    }
    const at = this.ctx.clock.now();
    if (await this.finish(doc, { status: "failed", lastError: result.reason })) {
      await User.updateOne({ _id: dm.userKey }, { $set: { dmFailure: { reason: result.reason, at } } });
      this.ctx.userChanged(dm.userKey);
      this.ctx.log.warn(
        { outboxId: doc._id, platform: dm.platform, reason: result.reason },
        "outbox: direct message could not be delivered",
      );
    }
  }

  /**
   * Shows a group's status card (see showCard), one edit at most every `cardEditIntervalMs`. When
   * the group changed again while this ran (a newer revision), the newest goes next, after the
   * interval.
   */
  private async deliverCard(doc: OutboxDoc): Promise<void> {
    const card = doc.card;
    const messenger = doc.platform ? this.messengers.get(doc.platform) : undefined;
    if (!card || !messenger) {
      await this.release(doc, "no messenger for this platform");
      return;
    }
    const spaced = doc.sentAt ? doc.sentAt.getTime() + this.options.cardEditIntervalMs : 0;
    if (spaced > this.ctx.clock.now().getTime()) {
      // Edited moments ago: this state waits for the interval, gathering any later ones.
      await this.finish(doc, { status: "pending", nextAttemptAt: new Date(spaced) }, -1);
      return;
    }
    let result: DeliveryResult;
    try {
      result = await this.paced(messenger.platform, (takeSlot) =>
        showCard(this.ctx, messenger, { outboxId: doc._id, ...card }, takeSlot),
      );
    } catch (error) {
      result = { ok: false, retryable: true, reason: error instanceof Error ? error.message : String(error) };
    }
    const now = this.ctx.clock.now();
    const newer = {
      status: "pending" as const,
      nextAttemptAt: new Date(now.getTime() + this.options.cardEditIntervalMs),
    };
    if (result.ok) {
      // Only the revision that was sent is done; a newer one goes again after the interval.
      if (
        !(await this.finish(doc, { status: "sent", sentAt: now, lastError: null }, 0, {
          revision: doc.revision,
        }))
      ) {
        await this.finish(doc, { ...newer, sentAt: now, attempts: 0, lastError: null });
      }
      return;
    }
    if (result.retryable && result.retryAfterMs !== undefined) {
      // The platform's rate limit: a wait it named, not a failed attempt.
      const next = new Date(now.getTime() + result.retryAfterMs);
      await this.finish(doc, { status: "pending", nextAttemptAt: next, lastError: result.reason }, -1);
      return;
    }
    if (result.retryable && doc.attempts < this.options.maxDmAttempts) {
      await this.retry(doc, result.reason);
      return;
    }
    // Refused for good (no right to post there, content refused) or too many failures: kept as
    // failed, unless the group changed since and its newer state may fare better.
    if (
      await this.finish(doc, { status: "failed", lastError: result.reason }, 0, { revision: doc.revision })
    ) {
      this.ctx.log.warn(
        { outboxId: doc._id, platform: doc.platform, reason: result.reason },
        "outbox: status card could not be posted",
      );
    } else await this.finish(doc, { ...newer, lastError: result.reason });
  }

  /** Runs `call` with a `takeSlot` that holds each of the platform's budgets for its turn. */
  private async paced<T>(platform: Platform, call: (takeSlot: TakeSlot) => Promise<T>): Promise<T> {
    let answered = () => {};
    try {
      return await call(async (budget, perSecond) => {
        answered();
        answered = await this.pacer.take(`${platform}:${budget}`, perSecond);
      });
    } finally {
      answered();
    }
  }

  private async deliverShipping(doc: OutboxDoc): Promise<void> {
    const shipping = doc.shipping;
    if (!shipping) {
      await this.finish(doc, { status: "failed", lastError: "shipping message without a body" });
      return;
    }
    if (!this.orders) {
      if (await this.finish(doc, { status: "held" })) {
        this.ctx.log.info(
          { outboxId: doc._id, shippingRequest: JSON.parse(shipping.body) as unknown },
          "shipping request kept (FULFILLMENT_WEBHOOK_URL is unset)",
        );
      }
      return;
    }
    const cancellation = shipping.idempotencyKey !== shipping.orderId;
    if (cancellation && (await this.waitForRequest(doc, shipping.orderId))) return;
    const result = await this.placeInShop(this.orders, shipping.body);
    if (result.ok) {
      await this.finish(doc, { status: "sent", sentAt: this.ctx.clock.now(), lastError: null });
      // A cancellation put off behind this request may go now, in this very pass.
      const waiting = this.cancellationsWaiting.get(doc._id);
      this.cancellationsWaiting.delete(doc._id);
      if (waiting) await this.dueNow(waiting);
      return;
    }
    // The contract says "until a 2xx": shipping requests are never given up.
    this.ctx.log.warn(
      { outboxId: doc._id, orderId: shipping.orderId, reason: result.reason, attempts: doc.attempts },
      "shipping request not accepted; will retry",
    );
    await this.retry(doc, result.reason, result.retryAfterMs);
  }

  /** The stored body is the exact JSON first written: the shop gets those bytes and what they say. */
  private async placeInShop(orders: OrderBook, body: string): Promise<OrderBookResult> {
    try {
      return await orders.deliver(JSON.parse(body) as ShippingRequest, body);
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * The shop must hear of an order before its cancellation: while the order's request is not yet
   * accepted (pending, held, or being sent by another lane), the cancellation is put off, which is
   * not a failed attempt. The lane of this process that delivers the request makes it due again at
   * once; a request delivered elsewhere lets it go after CANCELLATION_WAIT_MS. Returns true when put off.
   */
  private async waitForRequest(cancellation: OutboxDoc, orderId: string): Promise<boolean> {
    const requestId = shippingRequestId(orderId);
    const unsent = () => this.ctx.models.OutboxMessage.exists({ _id: requestId, status: { $ne: "sent" } });
    this.cancellationsWaiting.set(requestId, cancellation._id);
    if (!(await unsent())) {
      this.cancellationsWaiting.delete(requestId);
      return false;
    }
    const next = new Date(this.ctx.clock.now().getTime() + CANCELLATION_WAIT_MS);
    await this.finish(cancellation, { status: "pending", nextAttemptAt: next }, -1);
    // The request may have been accepted meanwhile, its lane finding nothing pending to wake.
    if (!(await unsent())) {
      this.cancellationsWaiting.delete(requestId);
      await this.dueNow(cancellation._id);
    }
    return true;
  }

  private async dueNow(cancellationId: string): Promise<void> {
    await this.ctx.models.OutboxMessage.updateOne(
      { _id: cancellationId, status: "pending" },
      { $set: { nextAttemptAt: this.ctx.clock.now() } },
    );
  }

  /**
   * One provider call. Retried with back-off until it succeeds (money must never stay held or
   * uncaptured because the provider was busy); a refusal for good is kept as failed for the operator.
   */
  private async deliverPayment(doc: OutboxDoc): Promise<void> {
    if (!this.payments) return void (await this.release(doc, "payments are not on in this process"));
    const result = await this.payments(doc);
    if (result.ok) {
      await this.finish(doc, { status: "sent", sentAt: this.ctx.clock.now(), lastError: null });
      return;
    }
    if (result.retryable) {
      this.ctx.log.warn(
        { outboxId: doc._id, orderId: doc.payment?.orderId, reason: result.reason, attempts: doc.attempts },
        "payment call failed; will retry",
      );
      await this.retry(doc, result.reason, result.retryAfterMs);
      return;
    }
    await this.finish(doc, { status: "failed", lastError: result.reason });
  }

  /** Back-off: base × 2^(attempts−1), capped; a platform's own `retryAfterMs` wins when longer. */
  backoffMs(attempts: number, retryAfterMs?: number): number {
    const exp = Math.min(
      this.options.backoffMaxMs,
      this.options.backoffBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30),
    );
    return Math.max(exp, retryAfterMs ?? 0);
  }

  private retry(doc: OutboxDoc, reason: string, retryAfterMs?: number): Promise<boolean> {
    const next = new Date(this.ctx.clock.now().getTime() + this.backoffMs(doc.attempts, retryAfterMs));
    return this.finish(doc, { status: "pending", nextAttemptAt: next, lastError: reason });
  }

  /** Gives a message back untouched (e.g. its messenger went away): the attempt does not count. */
  private release(doc: OutboxDoc, reason: string): Promise<boolean> {
    return this.finish(doc, { status: "pending", lastError: reason }, -1);
  }

  /** Records an outcome if this worker still holds the lease; false when another worker took it over. */
  private async finish(
    doc: OutboxDoc,
    set: Partial<OutboxDoc>,
    attemptsDelta = 0,
    also: Partial<OutboxDoc> = {},
  ): Promise<boolean> {
    const result = await this.ctx.models.OutboxMessage.updateOne(
      { ...also, _id: doc._id, status: "sending", leaseOwner: this.workerId },
      {
        $set: { ...set, leaseOwner: null, leaseUntil: null },
        ...(attemptsDelta !== 0 ? { $inc: { attempts: attemptsDelta } } : {}),
      },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Removes messages delivered longer than the retention ago, on the engine clock. Failed DMs and
   * held or pending shipping requests stay for the operator. Returns how many were removed.
   */
  async purgeDelivered(): Promise<number> {
    const before = new Date(this.ctx.clock.now().getTime() - this.options.retentionMs);
    const result = await this.ctx.models.OutboxMessage.deleteMany({
      status: "sent",
      sentAt: { $lte: before },
    });
    return result.deletedCount;
  }

  /**
   * Claims and delivers until nothing is due; returns how many messages were handled. Each queue
   * (shipping, each platform's DMs) has lanes of its own, so a platform waiting for its send slots
   * (Slack's 50 channel opens a minute) never holds up another. One lane a queue looks first and
   * another joins each time a lane finds a message, up to the queue's concurrency: a pass over
   * empty queues (every poll, every kick) costs one claim a queue, not one a lane.
   */
  async runOnce(): Promise<number> {
    // Orders whose requests could not be queued this time are found again on the next pass; the
    // messages already queued still go out.
    await this.relay?.().catch((error: unknown) => {
      this.ctx.log.warn({ err: error }, "outbox: shipping requests not queued this pass; retrying");
    });
    let handled = 0;
    let failure: unknown;
    const lanes: Promise<void>[] = [];
    const startLane = (queue: object, open: { count: number }) => {
      open.count++;
      const lane = async () => {
        for (;;) {
          const doc = await this.claim(queue);
          if (!doc) return void open.count--;
          if (open.count < this.options.concurrency) startLane(queue, open);
          await this.deliver(doc);
          handled++;
        }
      };
      // A failed lane ends the pass once the others have finished, so no two passes overlap.
      lanes.push(
        lane().catch((error: unknown) => {
          failure ??= error;
        }),
      );
    };
    for (const queue of this.queues()) startLane(queue, { count: 0 });
    for (let i = 0; i < lanes.length; i++) await lanes[i];
    if (failure !== undefined) throw failure;
    return handled;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** New messages were committed: deliver now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      try {
        await this.runOnce();
        if (performance.now() - this.lastPurge >= PURGE_EVERY_MS) {
          this.lastPurge = performance.now();
          await this.purgeDelivered();
        }
      } catch (error) {
        this.ctx.log.warn({ err: error }, "outbox: delivery pass failed; retrying");
      }
      if (!this.running || this.kicked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
