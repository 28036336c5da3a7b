import { createHash } from "node:crypto";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import express, { type Request, type Response, type Router } from "express";
import type { Clock } from "../../src/clock";
import type { Logger } from "../../src/logger";
import { describeBody } from "./parse";
import { verifySlackSignature } from "./verify";

/**
 * Bolt's transport, mounted on crowdcart's own express server: it keeps the raw body (the
 * signature covers the exact bytes, so no body parser runs before it), answers 401 to anything
 * unsigned, wrongly signed or stale and 400 to a body it cannot read, and hands the rest to Bolt.
 */
export class ExpressRouteReceiver implements Receiver {
  readonly router: Router;
  private app: App | undefined;

  constructor(private readonly options: { signingSecret: string; clock: Clock; log: Logger }) {
    this.router = express.Router();
    this.router.post("/", express.raw({ type: () => true, limit: "1mb" }), (req, res) =>
      this.handle(req, res),
    );
  }

  init(app: App): void {
    this.app = app;
  }

  /** The HTTP server is crowdcart's: there is nothing for the receiver to start or stop. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private async handle(req: Request, res: Response): Promise<void> {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody,
      timestamp: req.get("x-slack-request-timestamp"),
      signature: req.get("x-slack-signature"),
      nowMs: this.options.clock.now().getTime(),
    });
    if (!verdict.ok) {
      this.options.log.warn({ reason: verdict.reason }, "slack: request refused");
      return void res.status(401).type("text/plain").send("Invalid or missing Slack signature.");
    }
    const body = parseBody(rawBody, req.get("content-type") ?? "");
    if (!body) return void res.status(400).type("text/plain").send("Unreadable request body.");
    if (body.ssl_check) return void res.status(200).send("");
    if (body.type === "url_verification" && typeof body.challenge === "string") {
      return void res.status(200).json({ challenge: body.challenge });
    }
    if (describeBody(body) === "malformed")
      return void res.status(400).type("text/plain").send("Unexpected request body.");
    if (!this.app) return void res.status(503).type("text/plain").send("Slack adapter is starting.");

    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === "") res.status(200).send("");
      else if (typeof response === "string") res.status(200).type("text/plain").send(response);
      else res.status(200).json(response);
    };
    const retryNum = Number(req.get("x-slack-retry-num"));
    const event: ReceiverEvent = {
      body: { ...body, crowdcart_body_hash: createHash("sha256").update(rawBody).digest("hex") },
      ack,
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(req.get("x-slack-retry-reason") ? { retryReason: req.get("x-slack-retry-reason") } : {}),
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      this.options.log.error({ err: error }, "slack: event processing failed");
    }
    // Unhandled event types still get their 200, or Slack keeps retrying them.
    await ack();
  }
}

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> | undefined {
  try {
    const text = raw.toString("utf8");
    if (contentType.includes("application/json")) return asObject(JSON.parse(text));
    if (!contentType.includes("application/x-www-form-urlencoded")) return undefined;
    const form = Object.fromEntries(new URLSearchParams(text));
    if (typeof form.payload === "string") return asObject(JSON.parse(form.payload));
    return form;
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
