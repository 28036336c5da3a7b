import type { Connection } from "mongoose";
import { bindModels } from "../../models";
import type { Clock } from "../clock";
import { runInTransaction } from "../db/transaction";
import type { Logger } from "../logger";
import { noPayments } from "../payments/none";
import type { PaymentProvider } from "../payments/port";
import type { Storefront } from "../storefront/port";
import { type CartDeps, createCarts, type SessionSettings } from "./cart";
import { createCatalog } from "./catalog";
import type { EngineContext } from "./context";
import { createGroups } from "./groups";
import { createGuessLimit } from "./guess-limit";
import type { Messenger } from "./messenger";
import { createOrders } from "./orders";
import { createOutbox, type Outbox, type OutboxOptions } from "./outbox";
import { createPayments } from "./payments";
import { createPoints } from "./points";
import { guarded } from "./unavailable";
import { createUsers, type Users } from "./users";

export interface EngineDeps {
  connection: Connection;
  clock: Clock;
  log: Logger;
  /** Base of every link the bot sends (PUBLIC_URL). */
  publicUrl: string;
  groupTtlMs: number;
  /** WAITLIST_CONFIRM: how long a waitlisted member has to take a freed place (default 30m). */
  waitlistConfirmMs?: number;
  /** `codeSecret` (SESSION_CODE_SECRET) seals cart tokens; unset = a key kept in the database. */
  session: SessionSettings;
  /**
   * Where the catalog comes from and where orders go (STOREFRONT), as its two ports. Unset: no
   * catalog is read (products are upserted by hand) and shipping requests are held.
   */
  storefront?: Pick<Storefront, "id" | "catalog" | "orders">;
  /** Tuning for tests; production uses the defaults. */
  outbox?: Partial<OutboxOptions>;
  /**
   * "off" runs every write without a transaction, as on a standalone server (which is detected on
   * its own); tests use it to exercise that path on the replica-set test store.
   */
  transactions?: "auto" | "off";
  /** How often the expiry sweeper looks for groups past their deadline. */
  sweepIntervalMs?: number;
  /** PAYMENTS: the provider and PAYMENT_WINDOW; unset = none (the shop bills separately). */
  payments?: { provider: PaymentProvider; windowMs: number };
}

export type Engine = ReturnType<typeof createEngine>;

/**
 * The platform-free engine: one per process (or two in a test, on two connections). Holds no state
 * that matters between calls; everything lives in the database, so instances can share one.
 */
export function createEngine(deps: EngineDeps) {
  const { connection, log } = deps;
  let outboxRef: Outbox | undefined;
  let usersRef: Users | undefined;
  const ctx: EngineContext = {
    connection,
    models: bindModels(connection),
    clock: deps.clock,
    log,
    publicUrl: deps.publicUrl.replace(/\/+$/, ""),
    tx: deps.transactions === "off" ? (fn) => fn(undefined) : (fn) => runInTransaction(connection, fn, log),
    guard: (fn) => guarded(connection, fn),
    kickOutbox: () => outboxRef?.worker.kick(),
    userChanged: (key) => usersRef?.forget(key),
  };
  const users = createUsers(ctx);
  usersRef = users;
  const catalog = createCatalog(ctx, deps.storefront?.catalog);
  const outbox = createOutbox(ctx, deps.storefront?.orders, deps.outbox);
  outboxRef = outbox;
  const orders = createOrders(ctx, outbox.writer);
  const points = createPoints(ctx);
  let groupsRef: ReturnType<typeof createGroups> | undefined;
  const payments = createPayments(ctx, {
    provider: deps.payments?.provider ?? noPayments,
    windowMs: deps.payments?.windowMs ?? 30 * 60_000,
    orders,
    outbox: outbox.writer,
    // The groups are built with payments; the places they keep are theirs.
    places: {
      taken: (session, order) => groupsRef!.paidPlaces.taken(session, order),
      givenBack: (session, order) => groupsRef!.paidPlaces.givenBack(session, order),
    },
    returnUrl: async (order) =>
      order.groupCode ? `${ctx.publicUrl}/g/${order.groupCode}` : `${ctx.publicUrl}/`,
    cartTtlMs: deps.session.ttlMs,
  });
  if (payments.on) outbox.worker.registerPayments((doc) => payments.deliver(doc));
  const guesses = createGuessLimit(connection, deps.clock);
  const groups = createGroups(ctx, {
    guesses,
    catalog,
    users,
    orders,
    outbox: outbox.writer,
    groupTtlMs: deps.groupTtlMs,
    waitlistConfirmMs: deps.waitlistConfirmMs ?? 30 * 60_000,
    sweepIntervalMs: deps.sweepIntervalMs,
    codeSecret: deps.session.codeSecret,
    ...(payments.on ? { payments } : {}),
  });
  groupsRef = groups;
  // A join's card edit follows its order out of the transaction, as its shipping request does.
  outbox.onGroupsJoined((codes) => groups.cards.joined(codes));
  const cartDeps: CartDeps = {
    catalog,
    orders,
    outbox: outbox.writer,
    guesses,
    session: deps.session,
    ...(payments.on ? { payments } : {}),
  };
  /**
   * What tests and tools reach past the public operations for: the models, the budget for codes
   * that matched nothing, and what carts are built from (to build carts with other settings).
   */
  const core = { ctx, guesses, cartDeps };

  let started = false;
  return {
    core,
    users,
    catalog,
    orders,
    points,
    groups,
    carts: createCarts(ctx, cartDeps),
    outbox,
    payments,
    /** Adapters register how they DM; the worker then delivers that platform's messages. */
    registerMessenger(messenger: Messenger): void {
      outbox.worker.registerMessenger(messenger);
    },
    /**
     * Builds indexes, reads the catalog (throws CatalogError on a bad file), starts the workers and
     * the catalog's refreshes.
     */
    async start(): Promise<void> {
      if (started) return;
      await ctx.guard(() => Promise.all(Object.values(ctx.models).map((model) => model.init())));
      const count = await catalog.load();
      log.info({ products: count, storefront: deps.storefront?.id }, "catalog loaded");
      // A payment whose report was lost (the process died before recording it) is found now.
      const found = await ctx.guard(() => payments.reconcile());
      if (found > 0) log.info({ found }, "payments recorded at start-up from the provider");
      outbox.worker.start();
      catalog.start();
      groups.sweeper.start();
      started = true;
    },
    /** Stops the workers; in-flight deliveries and user records finish first. Does not close the connection. */
    async stop(): Promise<void> {
      if (!started) return;
      started = false;
      await catalog.stop();
      await groups.sweeper.stop();
      await outbox.worker.stop();
      await users.written();
    },
  };
}
