import { createHash } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse } from "node:querystring";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Clock } from "../../src/clock";
import type { Logger } from "../../src/logger";
import { readBody } from "../../src/read-body";
import { describeBody } from "./parse";
import { verifySlackSignature } from "./verify";

/** Slack's events and commands are a few KB; anything near this is not from Slack. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Bolt's transport for POST /slack/events, served by node's own request and response: every
 * command passes here, and express's routing and body parsing cost a command more than the rest
 * of its way to Bolt. It keeps the raw body (the signature covers the exact bytes), answers 401
 * to anything unsigned, wrongly signed or stale, 400 to a body it cannot read and 413 to one too
 * large, and hands the rest to Bolt.
 */
export class HttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly options: { signingSecret: string; clock: Clock; log: Logger }) {}

  init(app: App): void {
    this.app = app;
  }

  /** The HTTP server is crowdcart's: there is nothing for the receiver to start or stop. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  readonly handle: RequestListener = (req, res) => {
    this.receive(req, res).catch((error: unknown) => {
      this.options.log.error({ err: error }, "slack: request failed");
      if (!res.headersSent) answer(res, 500, "Something went wrong; please try again.");
      else res.end();
    });
  };

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req, BODY_LIMIT_BYTES);
    if (!rawBody) return answer(res, 413, "Request body too large.");
    const verdict = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      rawBody,
      timestamp: header(req, "x-slack-request-timestamp"),
      signature: header(req, "x-slack-signature"),
      nowMs: this.options.clock.now().getTime(),
    });
    if (!verdict.ok) {
      this.options.log.warn({ reason: verdict.reason }, "slack: request refused");
      return answer(res, 401, "Invalid or missing Slack signature.");
    }
    const body = parseBody(rawBody, header(req, "content-type") ?? "");
    if (!body) return answer(res, 400, "Unreadable request body.");
    if (body.ssl_check) return answer(res, 200, "");
    if (body.type === "url_verification" && typeof body.challenge === "string") {
      return answer(res, 200, JSON.stringify({ challenge: body.challenge }), JSON_TEXT);
    }
    if (describeBody(body) === "malformed") return answer(res, 400, "Unexpected request body.");
    if (!this.app) return answer(res, 503, "Slack adapter is starting.");

    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === "") return answer(res, 200, "");
      const text = typeof response === "string";
      answer(res, 200, text ? response : JSON.stringify(response), text ? PLAIN_TEXT : JSON_TEXT);
    };
    // Slash commands and clicks carry a trigger_id, their event id; anything else is told apart by its bytes.
    if (typeof body.trigger_id !== "string") {
      body.crowdcart_body_hash = createHash("sha256").update(rawBody).digest("hex");
    }
    const retryNum = Number(header(req, "x-slack-retry-num"));
    const retryReason = header(req, "x-slack-retry-reason");
    const event: ReceiverEvent = {
      body,
      ack,
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(retryReason ? { retryReason } : {}),
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
const JSON_TEXT = "application/json; charset=utf-8";

/**
 * One write, headers and body together, with its length: no ETag or freshness check (an
 * acknowledgement is never cached) and no chunked framing.
 */
function answer(res: ServerResponse, status: number, body: string, type = PLAIN_TEXT): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

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
