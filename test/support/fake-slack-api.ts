import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { type WebSocket, WebSocketServer } from "ws";
import { manifestErrors } from "./slack-manifest-rules";

/** One Web API call as the fake received it, with what it answered. */
export interface SlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  status: number;
  error?: string;
  at: number;
}

/** One message posted to a response_url (refused ones included, with the error Slack gives). */
export interface SlackResponse {
  id: string;
  body: Record<string, unknown>;
  error?: "expired_url" | "used_url";
}

/** How Slack saw the acknowledgement of one command or click it delivered. */
export interface SlackDelivery {
  /** The envelope id (Socket Mode) or a sequence number (HTTP). */
  id: string;
  /** Milliseconds from delivery to acknowledgement; undefined while none came. */
  ackMs?: number;
  /** What the acknowledgement carried: HTTP body text or the Socket Mode ack's payload. */
  ack?: unknown;
  /** Slack gives up after 3 s: the user sees "operation_timeout" and a later answer is dropped. */
  timedOut: boolean;
}

/** A user as `users.info` describes them. */
export interface SlackUserProfile {
  name?: string;
  real_name?: string;
  display_name?: string;
  /** Workspace admin / owner, as users.info reports them (false when unset). */
  is_admin?: boolean;
  is_owner?: boolean;
}

/** A message kept by the fake so `chat.update` can be checked against it. */
export interface SlackChannelMessage {
  user: string;
  text: string;
  blocks?: unknown;
}

export interface FakeSlackOptions {
  /** The one bot token Slack accepts; any other is `invalid_auth`. */
  botToken?: string;
  /** The app-level token `apps.connections.open` accepts (Socket Mode). */
  appToken?: string;
  /** The app configuration token the `apps.manifest.*` methods accept. */
  configToken?: string;
}

export interface FakeSlackApi {
  /** SLACK_API_URL for the adapter: `http://127.0.0.1:<port>/api/`. */
  apiUrl: string;
  botToken: string;
  appToken: string;
  configToken: string;
  /** A fresh response_url for one slash command or click. */
  responseUrl(): string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Messages accepted on response URLs, in order. */
  responses: SlackResponse[];
  responsesTo(url: string): SlackResponse[];
  /** Posts to response URLs that Slack refused (expired or used up). */
  refusedResponses: SlackResponse[];
  /** Messages posted to the DM channel of `userId` (chat.postMessage args), in order. */
  dmsTo(userId: string): Record<string, unknown>[];
  /** A message in a channel as it stands now (edits applied), or undefined (never posted, deleted). */
  channelMessage(channel: string, ts: string): SlackChannelMessage | undefined;
  /** Someone else posts in a channel: the bot may not update that message (`cant_update_message`). */
  postAsUser(channel: string, user: string, text: string): string;
  /** Someone deletes a message: updating it is `message_not_found`. */
  deleteMessage(channel: string, ts: string): void;
  /** Posts and updates in this channel answer `{ok:false, error}` (`not_in_channel`, `channel_not_found`, …). */
  refuseChannel(channel: string, error: string | undefined): void;
  /** conversations.open for this user answers `{ok:false, error}` (e.g. user_not_found). */
  refuseDm(userId: string, error?: string): void;
  /** The next `times` calls of `method` (to `channel` only, when given) answer 429 with Retry-After. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number, channel?: string): void;
  /** The next `times` posts to any response_url answer 503, as Slack does when briefly unwell. */
  failNextResponses(times: number): void;
  /** Every Web API call answers `{ok:false, error}` from now on (e.g. `account_inactive`: the token died). */
  failEveryCall(error: string | undefined): void;
  /** What users.info answers for `userId`; unknown users are `user_not_found`. */
  setUser(userId: string, profile: SlackUserProfile): void;
  /** Moves the fake's clock (response_url expiry) forward. */
  advance(ms: number): void;
  /**
   * Delivers a signed HTTP request to the app as Slack does: gives up after 3 s (the answer is
   * then dropped and the delivery recorded as timed out) and records how long the ack took.
   */
  deliver(url: string, body: string, headers: Record<string, string>): Promise<SlackDelivery>;
  /** Socket Mode: the connections the app holds open, and what Slack sent and received on them. */
  socket: {
    connections(): number;
    /** Resolves once the app has a connection that got its `hello`. */
    connected(): Promise<void>;
    /** Sends an envelope (`slash_commands`, `interactive`) and resolves when it is acknowledged or timed out. */
    send(type: "slash_commands" | "interactive", payload: Record<string, unknown>): Promise<SlackDelivery>;
  };
  deliveries: SlackDelivery[];
  /** Deliveries the app did not acknowledge within 3 s. */
  timeouts(): SlackDelivery[];
  /** Waits until `check` is true, polling; throws after `timeoutMs` with `what`. */
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Slack's acknowledgement window. */
export const ACK_WINDOW_MS = 3000;
/** Slack's limits for one message: its text, its blocks, and a section block's text. */
const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
/** A response_url is good for 30 minutes and five messages. */
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const RESPONSE_URL_USES = 5;

/**
 * A local stand-in for slack.com/api, response URLs and the Socket Mode WebSocket, on 127.0.0.1.
 * It records every call and answers the way Slack does: only the configured bot token is accepted
 * (`invalid_auth` otherwise, `not_authed` without one), `no_text` for a message with neither text
 * nor blocks, `unknown_method`, 429 with Retry-After, `chat.update` only of a message the bot posted
 * (`message_not_found`, `cant_update_message`, a channel's `not_in_channel`), response URLs that expire after 30 minutes
 * or 5 uses, acknowledgements that must come within 3 seconds, and `invalid_manifest` for a
 * manifest Slack would refuse (a built-in command name among them).
 */
export async function startFakeSlackApi(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
  const botToken = options.botToken ?? "xoxb-test-token-123";
  const appToken = options.appToken ?? "xapp-1-A1-1-test";
  const configToken = options.configToken ?? "xoxe.xoxp-1-test";
  const app = express();
  const calls: SlackCall[] = [];
  const responses: SlackResponse[] = [];
  const refusedResponses: SlackResponse[] = [];
  const refused = new Map<string, string>();
  const limited = new Map<string, { seconds: number; times: number; channel: string | undefined }>();
  const users = new Map<string, SlackUserProfile>();
  const channelMessages = new Map<string, SlackChannelMessage>();
  const refusedChannels = new Map<string, string>();
  let tsSeq = 0;
  // Unique per message like Slack's own (seconds, then a sequence), so two posts in a millisecond differ.
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, "0")}`;
  const responseUrls = new Map<string, { issuedAt: number; uses: number }>();
  const deliveries: SlackDelivery[] = [];
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const helloed = new Set<WebSocket>();
  const pendingAcks = new Map<string, (payload: unknown) => void>();
  let failing: string | undefined;
  let responseFailures = 0;
  let skewMs = 0;
  let responseSeq = 0;
  let deliverySeq = 0;
  let base = "";
  const now = () => Date.now() + skewMs;

  app.use(express.urlencoded({ extended: false }), express.json());

  app.post("/api/:method", (req, res) => {
    const method = String(req.params.method);
    const args = decodeArgs(req.body as Record<string, unknown>);
    const token = req.get("authorization")?.replace(/^Bearer /, "") ?? (args.token as string | undefined);
    const record = (status: number, error?: string) => {
      calls.push({ method, token, args, status, ...(error ? { error } : {}), at: Date.now() });
    };
    const limit = limited.get(method);
    if (limit && limit.times > 0 && (limit.channel === undefined || limit.channel === args.channel)) {
      limit.times--;
      record(429, "ratelimited");
      return void res
        .status(429)
        .set("Retry-After", String(limit.seconds))
        .json({ ok: false, error: "ratelimited" });
    }
    const answer = (body: Record<string, unknown>) => {
      record(200, body.ok ? undefined : String(body.error));
      res.json(body);
    };
    if (!token) return answer({ ok: false, error: "not_authed" });
    if (method === "apps.connections.open") {
      if (token !== appToken) return answer({ ok: false, error: "invalid_auth" });
      const ticket = randomBytes(8).toString("hex");
      tickets.add(ticket);
      return answer({ ok: true, url: `${base.replace(/^http/, "ws")}/link/?ticket=${ticket}` });
    }
    if (method === "apps.manifest.validate") {
      if (token !== configToken) return answer({ ok: false, error: "invalid_auth" });
      const manifest = args.manifest;
      if (typeof manifest !== "object" || manifest === null)
        return answer({ ok: false, error: "invalid_manifest" });
      const errors = manifestErrors(manifest);
      return answer(errors.length ? { ok: false, error: "invalid_manifest", errors } : { ok: true });
    }
    if (token !== botToken) return answer({ ok: false, error: "invalid_auth" });
    if (failing) return answer({ ok: false, error: failing });
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
      case "chat.postMessage": {
        const channel = String(args.channel ?? "");
        if (!channel) return answer({ ok: false, error: "channel_not_found" });
        const refusal = refusedChannels.get(channel) ?? contentError(args);
        if (refusal) return answer({ ok: false, error: refusal });
        const ts = nextTs();
        channelMessages.set(`${channel}:${ts}`, {
          user: "UBOT",
          text: String(args.text ?? ""),
          blocks: args.blocks,
        });
        return answer({ ok: true, channel, ts, message: { text: args.text, ts } });
      }
      case "chat.update": {
        const channel = String(args.channel ?? "");
        const ts = String(args.ts ?? "");
        if (!channel) return answer({ ok: false, error: "channel_not_found" });
        const refusal = refusedChannels.get(channel);
        if (refusal) return answer({ ok: false, error: refusal });
        const message = channelMessages.get(`${channel}:${ts}`);
        if (!message) return answer({ ok: false, error: "message_not_found" });
        if (message.user !== "UBOT") return answer({ ok: false, error: "cant_update_message" });
        const error = contentError(args);
        if (error) return answer({ ok: false, error });
        // Text without blocks removes the old blocks; blocks without text keep the old text.
        if (args.text !== undefined) message.text = String(args.text);
        message.blocks =
          args.blocks !== undefined ? args.blocks : args.text !== undefined ? undefined : message.blocks;
        return answer({ ok: true, channel, ts, text: message.text, message: { text: message.text, ts } });
      }
      case "users.info": {
        const id = String(args.user ?? "");
        const profile = users.get(id);
        if (!profile) return answer({ ok: false, error: "user_not_found" });
        return answer({
          ok: true,
          user: {
            id,
            name: profile.name ?? id.toLowerCase(),
            real_name: profile.real_name ?? "",
            profile: { display_name: profile.display_name ?? "", real_name: profile.real_name ?? "" },
            is_admin: profile.is_admin ?? false,
            is_owner: profile.is_owner ?? false,
            is_primary_owner: false,
          },
        });
      }
      default:
        return answer({ ok: false, error: "unknown_method" });
    }
  });

  app.post("/response/:id", (req, res) => {
    const id = String(req.params.id);
    const body = req.body as Record<string, unknown>;
    if (responseFailures > 0) {
      responseFailures--;
      return void res.status(503).type("text/plain").send("service_unavailable");
    }
    const url = responseUrls.get(id);
    const error = !url
      ? "expired_url"
      : now() - url.issuedAt > RESPONSE_URL_TTL_MS
        ? "expired_url"
        : url.uses >= RESPONSE_URL_USES
          ? "used_url"
          : undefined;
    if (error) {
      refusedResponses.push({ id, body, error });
      return void res.status(404).type("text/plain").send(error);
    }
    url!.uses++;
    responses.push({ id, body });
    res.status(200).send("ok");
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Socket Mode: a WebSocket per apps.connections.open ticket; `hello` first, then envelopes that
  // the app acknowledges with `{ envelope_id, payload? }`.
  const wss = new WebSocketServer({ server, path: "/link/" });
  wss.on("connection", (socket, req) => {
    const ticket = new URL(req.url ?? "", base).searchParams.get("ticket") ?? "";
    if (!tickets.delete(ticket)) return void socket.close(4001, "invalid ticket");
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      helloed.delete(socket);
    });
    socket.on("message", (data) => {
      let frame: { envelope_id?: unknown; payload?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      if (typeof frame.envelope_id === "string") pendingAcks.get(frame.envelope_id)?.(frame.payload);
    });
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
        connection_info: { app_id: "A1" },
      }),
    );
    helloed.add(socket);
  });

  /** Starts the 3-second clock on one delivery; `settle` records the ack (or nothing, at timeout). */
  function track(id: string): {
    delivery: SlackDelivery;
    settle: (ack: unknown) => void;
    done: Promise<void>;
  } {
    const delivery: SlackDelivery = { id, timedOut: false };
    deliveries.push(delivery);
    const started = performance.now();
    let settle: (ack: unknown) => void = () => {};
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        delivery.timedOut = true;
        resolve();
      }, ACK_WINDOW_MS);
      settle = (ack) => {
        if (delivery.timedOut || delivery.ackMs !== undefined) return;
        clearTimeout(timer);
        delivery.ackMs = performance.now() - started;
        // Measured, not only timed: a busy process may run this before the timer that ends the window.
        if (delivery.ackMs > ACK_WINDOW_MS) delivery.timedOut = true;
        else delivery.ack = ack;
        resolve();
      };
    });
    return { delivery, settle, done };
  }

  async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  return {
    apiUrl: `${base}/api/`,
    botToken,
    appToken,
    configToken,
    responseUrl: () => {
      const id = String(++responseSeq);
      responseUrls.set(id, { issuedAt: now(), uses: 0 });
      return `${base}/response/${id}`;
    },
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responses,
    responsesTo: (url) => responses.filter((r) => url.endsWith(`/response/${r.id}`)),
    refusedResponses,
    dmsTo: (userId) =>
      calls
        .filter((c) => c.method === "chat.postMessage" && c.status === 200 && c.args.channel === `D${userId}`)
        .filter((c) => !c.error)
        .map((c) => c.args),
    channelMessage: (channel, ts) => {
      const message = channelMessages.get(`${channel}:${ts}`);
      return message && { ...message };
    },
    postAsUser: (channel, user, text) => {
      const ts = nextTs();
      channelMessages.set(`${channel}:${ts}`, { user, text });
      return ts;
    },
    deleteMessage: (channel, ts) => void channelMessages.delete(`${channel}:${ts}`),
    refuseChannel: (channel, error) => {
      if (error) refusedChannels.set(channel, error);
      else refusedChannels.delete(channel);
    },
    refuseDm: (userId, error = "user_not_found") => {
      refused.set(userId, error);
    },
    rateLimitNext: (method, seconds, times = 1, channel = undefined) => {
      limited.set(method, { seconds, times, channel });
    },
    failNextResponses: (times) => {
      responseFailures = times;
    },
    failEveryCall: (error) => {
      failing = error;
    },
    setUser: (userId, profile) => {
      users.set(userId, profile);
    },
    advance: (ms) => {
      skewMs += ms;
    },
    async deliver(url, body, headers) {
      const { delivery, settle, done } = track(String(++deliverySeq));
      const abort = new AbortController();
      const request = fetch(url, { method: "POST", headers, body, signal: abort.signal })
        .then(async (res) => settle({ status: res.status, body: await res.text() }))
        .catch(() => {});
      await done;
      if (delivery.timedOut) abort.abort();
      await request;
      return delivery;
    },
    socket: {
      connections: () => sockets.size,
      connected: () => waitFor("a Socket Mode connection", () => helloed.size > 0),
      async send(type, payload) {
        const socket = [...helloed].at(-1);
        if (!socket) throw new Error("fake Slack: no Socket Mode connection");
        const envelopeId = randomBytes(12).toString("hex");
        const { delivery, settle, done } = track(envelopeId);
        pendingAcks.set(envelopeId, settle);
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            payload,
            type,
            accepts_response_payload: type === "slash_commands",
          }),
        );
        await done;
        pendingAcks.delete(envelopeId);
        return delivery;
      },
    },
    deliveries,
    timeouts: () => deliveries.filter((d) => d.timedOut),
    waitFor,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** What Slack says about a message body it refuses (`no_text`, `msg_too_long`, `invalid_blocks`), if anything. */
function contentError(args: Record<string, unknown>): string | undefined {
  const blocks = args.blocks;
  if (!args.text && !(Array.isArray(blocks) && blocks.length > 0)) return "no_text";
  if (String(args.text ?? "").length > MAX_TEXT) return "msg_too_long";
  if (blocks !== undefined && blocksRefused(blocks)) return "invalid_blocks";
  return undefined;
}

/**
 * Whether Slack refuses these blocks (`invalid_blocks`): not a list, more than 50, or a section
 * whose text is over 3,000 characters.
 */
function blocksRefused(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return true;
  return blocks.some((block: { type?: unknown; text?: { text?: unknown } }) => {
    const text = block?.text?.text;
    return block?.type === "section" && typeof text === "string" && text.length > MAX_SECTION_TEXT;
  });
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
