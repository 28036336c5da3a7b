import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";

/** One Web API call as the fake received it, with what it answered. */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  status: number;
  error?: string;
  at: number;
}

/** One message posted to a response_url. */
export interface SlackResponse {
  id: string;
  body: Record<string, unknown>;
}

export interface FakeSlackApi {
  /** SLACK_API_URL for the adapter: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string;
  /** A fresh response_url for one slash command or click. */
  responseUrl(): string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  responses: SlackResponse[];
  responsesTo(url: string): SlackResponse[];
  /** Messages posted to the DM channel of `userId` (chat.postMessage args), in order. */
  dmsTo(userId: string): Record<string, unknown>[];
  /** conversations.open for this user answers `{ok:false, error}` (e.g. user_not_found). */
  refuseDm(userId: string, error?: string): void;
  /** The next `times` calls of `method` answer 429 with Retry-After. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** Waits until `check` is true, polling; throws after `timeoutMs` with `what`. */
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A local stand-in for slack.com/api and response URLs, on 127.0.0.1: it records every call and
 * answers the way Slack does (form or JSON bodies, `{ok:false,error}`, 429 with Retry-After).
 */
export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const app = express();
  const calls: SlackCall[] = [];
  const responses: SlackResponse[] = [];
  const refused = new Map<string, string>();
  const limited = new Map<string, { seconds: number; times: number }>();
  let responseSeq = 0;
  let base = "";

  app.use(express.urlencoded({ extended: false }), express.json());

  app.post("/api/:method", (req, res) => {
    const method = String(req.params.method);
    const args = decodeArgs(req.body as Record<string, unknown>);
    const token = req.get("authorization")?.replace(/^Bearer /, "") ?? (args.token as string | undefined);
    const record = (status: number, error?: string) => {
      calls.push({ method, token, args, status, ...(error ? { error } : {}), at: Date.now() });
    };
    const limit = limited.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      record(429, "ratelimited");
      return void res
        .status(429)
        .set("Retry-After", String(limit.seconds))
        .json({ ok: false, error: "ratelimited" });
    }
    if (!token?.startsWith("xoxb-")) {
      record(200, "not_authed");
      return void res.json({ ok: false, error: "not_authed" });
    }
    const answer = (body: Record<string, unknown>) => {
      record(200, body.ok ? undefined : String(body.error));
      res.json(body);
    };
    switch (method) {
      case "auth.test":
        return answer({
          ok: true,
          url: "https://acme.slack.com/",
          team: "Acme",
          user: "crowdcart",
          team_id: "T1",
          user_id: "UBOT",
          bot_id: "B1",
        });
      case "conversations.open": {
        const user = String(args.users ?? "");
        const error = refused.get(user);
        if (error) return answer({ ok: false, error });
        return answer({ ok: true, channel: { id: `D${user}` } });
      }
      case "chat.postMessage":
        if (!args.channel) return answer({ ok: false, error: "channel_not_found" });
        return answer({
          ok: true,
          channel: args.channel,
          ts: `${Date.now() / 1000}`,
          message: { text: args.text },
        });
      default:
        return answer({ ok: false, error: "unknown_method" });
    }
  });

  app.post("/response/:id", (req, res) => {
    responses.push({ id: String(req.params.id), body: req.body as Record<string, unknown> });
    res.status(200).send("ok");
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    responseUrl: () => `${base}/response/${++responseSeq}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responses,
    responsesTo: (url) => responses.filter((r) => url.endsWith(`/response/${r.id}`)),
    dmsTo: (userId) =>
      calls
        .filter((c) => c.method === "chat.postMessage" && c.status === 200 && c.args.channel === `D${userId}`)
        .map((c) => c.args),
    refuseDm: (userId, error = "user_not_found") => {
      refused.set(userId, error);
    },
    rateLimitNext: (method, seconds, times = 1) => {
      limited.set(method, { seconds, times });
    },
    async waitFor(what, check, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > until) throw new Error(`fake Slack: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The WebClient form-encodes arguments, JSON-encoding objects such as `blocks`. */
function decodeArgs(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body ?? {})) {
    if (typeof value === "string" && /^[[{]/.test(value)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // a plain string that happens to start with a bracket
      }
    }
    out[key] = value;
  }
  return out;
}
