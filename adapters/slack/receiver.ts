import { createHash } from "node:crypto";
import { parse } from "node:querystring";
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
    // Written straight to the socket, as Bolt's own receivers do: an acknowledgement needs no ETag
    // or freshness check, which express's send() would compute for every command.
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === "") return void res.writeHead(200, EMPTY).end();
      const text = typeof response === "string";
      const reply = text ? response : JSON.stringify(response);
      // With its length known the reply goes out in one plain write, headers and body together,
      // instead of as chunks with their framing.
      res.writeHead(200, {
        "content-type": text ? PLAIN_TEXT : JSON_TEXT,
        "content-length": Buffer.byteLength(reply),
      });
      res.end(reply);
    };
    // Slash commands and clicks carry a trigger_id, their event id; anything else is told apart by its bytes.
    if (typeof body.trigger_id !== "string") {
      body.crowdcart_body_hash = createHash("sha256").update(rawBody).digest("hex");
    }
    const retryNum = Number(req.get("x-slack-retry-num"));
    const event: ReceiverEvent = {
      body,
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

const PLAIN_TEXT = "text/plain; charset=utf-8";
const EMPTY = { "content-length": 0 };
const JSON_TEXT = "application/json; charset=utf-8";

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> | undefined {
  try {
    const text = raw.toString("utf8");
    if (contentType.includes("application/json")) return asObject(JSON.parse(text));
    if (!contentType.includes("application/x-www-form-urlencoded")) return undefined;
    // querystring, as Bolt's own receivers read forms: several times cheaper than URLSearchParams.
    // A repeated field comes back as a list; Slack never sends one, so such a form is unreadable.
    const form = parse(text) as Record<string, unknown>;
    if (Object.values(form).some(Array.isArray)) return undefined;
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
