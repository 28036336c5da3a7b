import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

/** One API call as the fake received it. */
export interface StripeCall {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | undefined;
  /** The status answered, and whether it was a replay of an earlier answer. */
  status: number;
  replayed: boolean;
}

interface Session {
  id: string;
  object: "checkout.session";
  mode: string;
  status: "open" | "complete" | "expired";
  payment_status: "unpaid" | "paid";
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  expires_at: number;
  payment_intent: string | null;
  url: string | null;
  success_url: string;
  cancel_url: string;
  /** Kept to create the PaymentIntent when the customer pays. */
  capture_method: "manual" | "automatic";
  /** The line items as asked for (Stripe lists them at `/line_items`; kept here for the tests). */
  line_items: SessionLine[];
}

interface SessionLine {
  description: string;
  quantity: number;
  unit_amount: number;
  amount_total: number;
}

interface PaymentIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: "manual" | "automatic";
  status: "requires_payment_method" | "requires_capture" | "succeeded" | "canceled";
  metadata: Record<string, string>;
  cancellation_reason: string | null;
}

interface Refund {
  id: string;
  object: "refund";
  amount: number;
  currency: string;
  payment_intent: string;
  status: "succeeded";
}

export interface FakeStripeOptions {
  /** The only secret key the fake accepts (Bearer); anything else gets 401 like Stripe. */
  secretKey: string;
  /** Events are signed with it, as Stripe signs them for a webhook endpoint. */
  webhookSecret: string;
  /** Where events are POSTed; may be set later (`fake.webhookUrl = …`). */
  webhookUrl?: string;
  /** Stripe's clock, in ms (tests move it to expire sessions). */
  now?: () => number;
}

/**
 * A local Stripe API for the calls crowdcart makes, reached through the SDK's host/port/protocol:
 * Checkout Sessions (create, retrieve, expire), PaymentIntents (retrieve, capture, cancel) and
 * Refunds. Bodies are form-encoded as Stripe reads them, errors carry Stripe's `type`/`code`, a
 * repeated Idempotency-Key answers the first answer again (and a different request under a used key
 * is refused), and the next answers can be made 429s. The customer's side (pay, decline, let a
 * session expire) is driven by the test, and the resulting events are sent signed with the SDK's
 * test header helper — or held, to be sent later twice or out of order.
 */
export class FakeStripe {
  readonly calls: StripeCall[] = [];
  /** Every event made, in order; `delivered` counts each POST made to the webhook with its status. */
  readonly events: Stripe.Event[] = [];
  readonly delivered: { eventId: string; type: string; status: number }[] = [];
  webhookUrl: string | undefined;
  /** While true, events are kept in `held` instead of being sent. */
  holdEvents = false;
  held: Stripe.Event[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly intents = new Map<string, PaymentIntent>();
  private readonly refunds = new Map<string, Refund>();
  private readonly idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  private rateLimited = 0;
  private sending: Promise<unknown>[] = [];
  private server: Server | undefined;
  private readonly signer = new Stripe("sk_test_signer");
  url = "";

  constructor(private readonly options: FakeStripeOptions) {
    this.webhookUrl = options.webhookUrl;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The service's environment for PAYMENTS=stripe against this fake. */
  env(): Record<string, string> {
    return {
      PAYMENTS: "stripe",
      STRIPE_SECRET_KEY: this.options.secretKey,
      STRIPE_WEBHOOK_SECRET: this.options.webhookSecret,
      STRIPE_API_URL: this.url,
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` API calls get 429 `rate_limit`, as Stripe answers too many requests. */
  rateLimitNext(count: number): void {
    this.rateLimited = count;
  }

  session(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  intent(id: string): PaymentIntent | undefined {
    return this.intents.get(id);
  }

  allSessions(): Session[] {
    return [...this.sessions.values()];
  }

  allIntents(): PaymentIntent[] {
    return [...this.intents.values()];
  }

  allRefunds(): Refund[] {
    return [...this.refunds.values()];
  }

  /** The session made for an order (by `metadata.orderId`). */
  sessionFor(orderId: string): Session | undefined {
    return this.allSessions().find((s) => s.metadata.orderId === orderId);
  }

  /**
   * The customer pays on the Checkout page with a good card: the PaymentIntent is authorized
   * (`requires_capture`) or paid (`succeeded`), and `checkout.session.completed` is sent.
   */
  async pay(sessionId: string): Promise<Stripe.Event> {
    const session = this.openSession(sessionId);
    const manual = session.capture_method === "manual";
    const intent: PaymentIntent = {
      id: `pi_${randomBytes(12).toString("hex")}`,
      object: "payment_intent",
      amount: session.amount_total,
      amount_capturable: manual ? session.amount_total : 0,
      amount_received: manual ? 0 : session.amount_total,
      currency: session.currency,
      capture_method: session.capture_method,
      status: manual ? "requires_capture" : "succeeded",
      metadata: { ...session.metadata },
      cancellation_reason: null,
    };
    this.intents.set(intent.id, intent);
    session.status = "complete";
    session.payment_intent = intent.id;
    // A hold is not yet money received: Stripe says `unpaid` until capture.
    session.payment_status = manual ? "unpaid" : "paid";
    session.url = null;
    return this.emit("checkout.session.completed", session);
  }

  /**
   * The customer's card is declined (`card_declined`): the session stays open to try another card,
   * its PaymentIntent waits for a payment method, and `payment_intent.payment_failed` is sent.
   */
  async decline(sessionId: string): Promise<Stripe.Event> {
    const session = this.openSession(sessionId);
    const intent: PaymentIntent = {
      id: `pi_${randomBytes(12).toString("hex")}`,
      object: "payment_intent",
      amount: session.amount_total,
      amount_capturable: 0,
      amount_received: 0,
      currency: session.currency,
      capture_method: session.capture_method,
      status: "requires_payment_method",
      metadata: { ...session.metadata },
      cancellation_reason: null,
    };
    this.intents.set(intent.id, intent);
    return this.emit("payment_intent.payment_failed", {
      ...intent,
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline" },
    });
  }

  /** Open sessions past their `expires_at` on Stripe's clock expire, each with its event, as Stripe does. */
  expireDue(): void {
    for (const session of this.sessions.values()) {
      if (session.status === "open" && session.expires_at * 1000 <= this.now()) {
        session.status = "expired";
        session.url = null;
        this.sending.push(this.emit("checkout.session.expired", session));
      }
    }
  }

  /** Resolves once every event the fake sent on its own (expiries) has been answered. */
  async settled(): Promise<void> {
    const sending = this.sending;
    this.sending = [];
    await Promise.all(sending);
  }

  /** The session's time runs out unpaid: `checkout.session.expired` is sent. */
  async expire(sessionId: string): Promise<Stripe.Event> {
    const session = this.openSession(sessionId);
    session.status = "expired";
    session.url = null;
    return this.emit("checkout.session.expired", session);
  }

  private openSession(sessionId: string): Session {
    this.expireDue();
    const session = this.sessions.get(sessionId);
    if (session?.status !== "open") throw new Error(`session ${sessionId} is not open`);
    return session;
  }

  /** Sends an event (again): Stripe delivers at least once, sometimes twice, in no promised order. */
  async send(event: Stripe.Event): Promise<number> {
    if (!this.webhookUrl) throw new Error("FakeStripe: no webhookUrl to send events to");
    const payload = JSON.stringify(event);
    const header = this.signer.webhooks.generateTestHeaderString({
      payload,
      secret: this.options.webhookSecret,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const response = await fetch(this.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": header },
      body: payload,
    });
    await response.arrayBuffer();
    this.delivered.push({ eventId: event.id, type: event.type, status: response.status });
    return response.status;
  }

  /** Sends the held events, in the order given (default: as made), then stops holding. */
  async release(order: (held: Stripe.Event[]) => Stripe.Event[] = (held) => held): Promise<number[]> {
    const events = order(this.held);
    this.held = [];
    this.holdEvents = false;
    const statuses: number[] = [];
    for (const event of events) statuses.push(await this.send(event));
    return statuses;
  }

  private async emit(type: string, object: object): Promise<Stripe.Event> {
    const event = {
      id: `evt_${randomBytes(12).toString("hex")}`,
      object: "event",
      api_version: Stripe.API_VERSION,
      created: Math.floor(this.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object: structuredClone(object) },
    } as unknown as Stripe.Event;
    this.events.push(event);
    if (this.holdEvents || !this.webhookUrl) this.held.push(event);
    else await this.send(event);
    return event;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    const params = parseForm(req.method === "GET" ? url.searchParams.toString() : raw);
    const idempotencyKey = header(req, "idempotency-key");
    const record = (
      status: number,
      body: unknown,
      replayed = false,
      headers: Record<string, string> = {},
    ) => {
      this.calls.push({
        method: req.method ?? "",
        path: url.pathname,
        params,
        idempotencyKey,
        status,
        replayed,
      });
      res.writeHead(status, {
        "content-type": "application/json",
        "request-id": `req_${randomBytes(8).toString("hex")}`,
        ...(replayed ? { "idempotent-replayed": "true" } : {}),
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    if (header(req, "authorization") !== `Bearer ${this.options.secretKey}`) {
      return record(401, stripeError("invalid_request_error", undefined, "Invalid API Key provided."));
    }
    if (this.rateLimited > 0) {
      this.rateLimited--;
      return record(
        429,
        stripeError("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly."),
      );
    }
    // A repeated key answers what the first request got; a different request under it is refused.
    const fingerprint = createHash("sha256").update(`${req.method} ${url.pathname} ${raw}`).digest("hex");
    const scope = idempotencyKey && req.method === "POST" ? idempotencyKey : undefined;
    const earlier = scope ? this.idempotent.get(scope) : undefined;
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        return record(
          400,
          stripeError(
            "idempotency_error",
            "idempotency_key_in_use",
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          ),
        );
      }
      return record(earlier.status, earlier.body, true);
    }
    const [status, body] = this.route(req.method ?? "GET", url.pathname, params);
    // Stripe keeps the answer under the key once the request ran, errors included; a request whose
    // parameters failed validation never ran, and may be sent again under the same key.
    const code = (body as { error?: { code?: string } }).error?.code;
    if (scope && code !== "parameter_invalid") this.idempotent.set(scope, { fingerprint, status, body });
    return record(status, body);
  }

  private route(method: string, path: string, params: Record<string, unknown>): [number, unknown] {
    this.expireDue();
    const parts = path.split("/").filter(Boolean);
    if (method === "POST" && path === "/v1/checkout/sessions") return this.createSession(params);
    if (parts[1] === "checkout" && parts[2] === "sessions" && parts[3]) {
      const session = this.sessions.get(parts[3]);
      if (!session) return missing("checkout.session", parts[3]);
      if (method === "GET" && parts.length === 4) return [200, session];
      if (method === "POST" && parts[4] === "expire") {
        if (session.status !== "open") {
          return [
            400,
            stripeError(
              "invalid_request_error",
              "checkout_session_not_open",
              `Only Checkout Sessions with a status of \`open\` can be expired. This session has a status of \`${session.status}\`.`,
            ),
          ];
        }
        session.status = "expired";
        session.url = null;
        this.sending.push(this.emit("checkout.session.expired", session));
        return [200, session];
      }
    }
    if (parts[1] === "payment_intents" && parts[2]) {
      const intent = this.intents.get(parts[2]);
      if (!intent) return missing("payment_intent", parts[2]);
      if (method === "GET" && parts.length === 3) return [200, intent];
      if (method === "POST" && parts[3] === "capture") return this.capture(intent, params);
      if (method === "POST" && parts[3] === "cancel") return this.cancel(intent, params);
    }
    if (method === "POST" && path === "/v1/refunds") return this.refund(params);
    return [
      404,
      stripeError("invalid_request_error", undefined, `Unrecognized request URL (${method}: ${path}).`),
    ];
  }

  private createSession(params: Record<string, unknown>): [number, unknown] {
    const items = Object.values((params.line_items ?? {}) as Record<string, Record<string, unknown>>);
    if (params.mode !== "payment") return invalid("mode", "Invalid mode: this fake takes `payment` only.");
    if (items.length === 0) return invalid("line_items", "Missing required param: line_items.");
    const lines: SessionLine[] = [];
    const currencies = new Set<string>();
    for (const [i, item] of items.entries()) {
      const price = (item.price_data ?? {}) as Record<string, unknown>;
      const unit = Number(price.unit_amount);
      const qty = Number(item.quantity);
      const currency = String(price.currency ?? "");
      if (!Number.isInteger(unit) || unit < 1)
        return invalid(`line_items[${i}][price_data][unit_amount]`, "Invalid integer.");
      if (!Number.isInteger(qty) || qty < 1) return invalid(`line_items[${i}][quantity]`, "Invalid integer.");
      if (!/^[a-z]{3}$/.test(currency))
        return invalid(`line_items[${i}][price_data][currency]`, "Invalid currency.");
      currencies.add(currency);
      const name = String((price.product_data as Record<string, unknown> | undefined)?.name ?? "");
      lines.push({ description: name, quantity: qty, unit_amount: unit, amount_total: unit * qty });
    }
    // As Stripe: every line item of a session is in one currency.
    if (currencies.size > 1)
      return invalid("line_items", "All line items of a Checkout Session must share one currency.");
    const [currency] = [...currencies] as [string];
    if (!params.success_url) return invalid("success_url", "Missing required param: success_url.");
    const nowSec = Math.floor(this.now() / 1000);
    const expiresAt = params.expires_at === undefined ? nowSec + 24 * 3600 : Number(params.expires_at);
    if (!Number.isInteger(expiresAt) || expiresAt < nowSec + 30 * 60 || expiresAt > nowSec + 24 * 3600) {
      return invalid(
        "expires_at",
        "The `expires_at` timestamp must be at least 30 minutes and less than 24 hours from Checkout Session creation.",
      );
    }
    const intentData = (params.payment_intent_data ?? {}) as Record<string, unknown>;
    const capture = intentData.capture_method === "manual" ? "manual" : "automatic";
    const id = `cs_test_${randomBytes(16).toString("hex")}`;
    const session: Session = {
      id,
      object: "checkout.session",
      mode: "payment",
      status: "open",
      payment_status: "unpaid",
      amount_total: lines.reduce((sum, line) => sum + line.amount_total, 0),
      currency,
      client_reference_id: typeof params.client_reference_id === "string" ? params.client_reference_id : null,
      metadata: (params.metadata ?? {}) as Record<string, string>,
      expires_at: expiresAt,
      payment_intent: null,
      url: `https://checkout.stripe.test/c/pay/${id}`,
      success_url: String(params.success_url),
      cancel_url: String(params.cancel_url ?? ""),
      capture_method: capture,
      line_items: lines,
    };
    this.sessions.set(id, session);
    return [200, session];
  }

  private capture(intent: PaymentIntent, params: Record<string, unknown>): [number, unknown] {
    if (intent.status !== "requires_capture") return unexpectedState(intent, "capture");
    const amount =
      params.amount_to_capture === undefined ? intent.amount_capturable : Number(params.amount_to_capture);
    if (!Number.isInteger(amount) || amount < 1 || amount > intent.amount_capturable) {
      return invalid("amount_to_capture", "Amount to capture must be between 1 and the amount capturable.");
    }
    intent.status = "succeeded";
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    return [200, intent];
  }

  private cancel(intent: PaymentIntent, params: Record<string, unknown>): [number, unknown] {
    if (intent.status === "succeeded" || intent.status === "canceled")
      return unexpectedState(intent, "cancel");
    intent.status = "canceled";
    intent.amount_capturable = 0;
    intent.cancellation_reason =
      typeof params.cancellation_reason === "string" ? params.cancellation_reason : null;
    return [200, intent];
  }

  private refund(params: Record<string, unknown>): [number, unknown] {
    const intent = this.intents.get(String(params.payment_intent ?? ""));
    if (!intent) return missing("payment_intent", String(params.payment_intent));
    const refunded = this.allRefunds()
      .filter((r) => r.payment_intent === intent.id)
      .reduce((sum, r) => sum + r.amount, 0);
    const amount = params.amount === undefined ? intent.amount_received - refunded : Number(params.amount);
    if (intent.status !== "succeeded") {
      return [
        400,
        stripeError(
          "invalid_request_error",
          "charge_not_refundable",
          "This PaymentIntent has no charge to refund.",
        ),
      ];
    }
    if (!Number.isInteger(amount) || amount < 1 || amount > intent.amount_received - refunded) {
      return [
        400,
        stripeError(
          "invalid_request_error",
          "charge_already_refunded",
          "The refund amount exceeds what is left to refund.",
        ),
      ];
    }
    const refund: Refund = {
      id: `re_${randomBytes(12).toString("hex")}`,
      object: "refund",
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: "succeeded",
    };
    this.refunds.set(refund.id, refund);
    return [200, refund];
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stripeError(type: string, code: string | undefined, message: string, param?: string) {
  return { error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) } };
}

function invalid(param: string, message: string): [number, unknown] {
  return [400, stripeError("invalid_request_error", "parameter_invalid", message, param)];
}

function missing(object: string, id: string): [number, unknown] {
  return [404, stripeError("invalid_request_error", "resource_missing", `No such ${object}: '${id}'`)];
}

function unexpectedState(intent: PaymentIntent, action: string): [number, unknown] {
  return [
    400,
    {
      error: {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: `This PaymentIntent could not be ${action}d because it has a status of ${intent.status}.`,
        payment_intent: intent,
      },
    },
  ];
}

/** Stripe's form encoding: `a[b][0][c]=v` read back into nested objects (arrays as index-keyed objects). */
export function parseForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\[|\]\[|\]/).filter((part) => part !== "");
    let node = root;
    for (const [i, part] of path.entries()) {
      if (i === path.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return root;
}

/** A fake Stripe on 127.0.0.1, started. */
export function startFakeStripe(options: FakeStripeOptions): Promise<FakeStripe> {
  return new FakeStripe(options).start();
}
