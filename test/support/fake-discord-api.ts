import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { type WebSocket, WebSocketServer } from "ws";

/** One REST call as the fake received it. `route` is the path below `/api/v10`. */
export interface DiscordCall {
  method: string;
  route: string;
  body: unknown;
  query: Record<string, string>;
  authorization: string | undefined;
  status: number;
  /** When it arrived (epoch ms), so a test can measure the rate a bot sends at. */
  at: number;
  /** A post whose `enforce_nonce` matched an earlier message: Discord answered that one, creating none. */
  duplicate?: boolean;
}

/** A channel message as it stands now (edits applied). */
export interface DiscordStoredMessage {
  channelId: string;
  authorId: string;
  content: string;
  components?: unknown;
}

/** One gateway frame the client sent (IDENTIFY, heartbeats, …). */
export interface GatewayFrame {
  op: number;
  d: unknown;
}

export interface FakeDiscordOptions {
  applicationId?: string;
  /** The only bot token the fake accepts (`Authorization: Bot <token>`, and IDENTIFY on the gateway). */
  botToken?: string;
  botUserId?: string;
  /** Answer every REST call with rate-limit headers of this size; the bucket resets each second. */
  requestsPerSecond?: number;
  /** How often that bucket resets instead (a test that must not see it reset on a slow machine). */
  bucketMs?: number;
  /** The shard count `GET /gateway/bot` recommends (what `shards: "auto"` runs); default 1. */
  recommendedShards?: number;
}

export interface FakeDiscordApi {
  /** The REST base to give discord.js (`rest: { api }`) or DISCORD_API_URL, e.g. http://127.0.0.1:1234/api */
  apiUrl: string;
  /** The WebSocket URL `GET /gateway/bot` hands out. */
  gatewayUrl: string;
  calls: DiscordCall[];
  callsTo(method: string, routePattern: RegExp): DiscordCall[];
  /** Messages posted to the DM channel of one user, in order. */
  dmsTo(userId: string): unknown[];
  /** A message as it stands now (edits applied), or undefined (never posted, deleted). */
  message(channelId: string, messageId: string): DiscordStoredMessage | undefined;
  /** A person posts in a channel: the bot may not edit that message (403, 50005). */
  postAsUser(channelId: string, userId: string, content: string): string;
  /** Someone deletes a message: editing it answers 404 Unknown Message (10008). */
  deleteMessage(channelId: string, messageId: string): void;
  /** The bot loses its permissions in a channel: posting or editing there answers 403 (50013). */
  revokePermissions(channelId: string): void;
  /** This user closed DMs: messages to their DM channel answer 403 with code 50007. */
  closeDms(userId: string): void;
  /** The next `times` calls matching method and route answer 429 with Retry-After. */
  rateLimitNext(method: string, routePattern: RegExp, retryAfterSeconds: number, times?: number): void;
  /** Frames received from gateway clients. */
  gatewayFrames: GatewayFrame[];
  /** Resolves once a client has identified and been sent READY. */
  waitForReady(): Promise<void>;
  /**
   * Dispatches INTERACTION_CREATE the way Discord routes events to shards: to the connection that
   * identified as shard `(guild_id >> 22) % shard_count` (shard 0 for DMs). Returns that shard id.
   */
  dispatchInteraction(interaction: Record<string, unknown>): number;
  /** The `[shard_id, shard_count]` each connected client identified with. */
  identifiedShards(): Array<[number, number]>;
  /** A user `GET /users/{id}` knows; any other id answers 404 Unknown User. */
  addUser(user: { id: string; username: string; global_name?: string | null }): void;
  close(): Promise<void>;
}

const NOT_FOUND = { message: "404: Not Found", code: 0 };
const UNAUTHORIZED = { message: "401: Unauthorized", code: 0 };
const MISSING_PERMISSIONS = { message: "Missing Permissions", code: 50013 };

/** The token every test gives its bot unless it says otherwise. */
export const FAKE_DISCORD_TOKEN = "fake-discord-bot-token-0123456789";

/**
 * A local stand-in for discord.com: the REST routes crowdcart uses under `/api/v10`, answering and
 * erroring like Discord (50007, 429 with Retry-After and X-RateLimit headers; a message edited only
 * by its author, 10008, 50005, 50013; `enforce_nonce` answering a repeat with the first message), and a gateway that
 * speaks HELLO, IDENTIFY/READY, heartbeats and INTERACTION_CREATE to a discord.js client.
 */
export async function startFakeDiscordApi(options: FakeDiscordOptions = {}): Promise<FakeDiscordApi> {
  const applicationId = options.applicationId ?? "100000000000000001";
  const botUserId = options.botUserId ?? applicationId;
  const botToken = options.botToken ?? FAKE_DISCORD_TOKEN;
  const users = new Map<string, { id: string; username: string; global_name?: string | null }>();
  const acknowledged = new Set<string>();
  const calls: DiscordCall[] = [];
  const closed = new Set<string>();
  const limits: Array<{ method: string; route: RegExp; retryAfter: number; times: number }> = [];
  const dmChannels = new Map<string, string>();
  const channelOwner = new Map<string, string>();
  const stored = new Map<string, DiscordStoredMessage>();
  const nonces = new Map<string, Record<string, unknown>>();
  const forbidden = new Set<string>();
  const gatewayFrames: GatewayFrame[] = [];
  const clients = new Set<{ socket: WebSocket; seq: number; shard: [number, number] }>();
  const readyWaiters: Array<() => void> = [];
  let readyCount = 0;
  let snowflake = 900000000000000000n;
  const nextId = () => String(++snowflake);
  let bucketStart = 0;
  let bucketUsed = 0;

  const app = express();
  app.use(express.json({ limit: "2mb" }));
  const api = express.Router();

  // Record every call and apply scripted or configured rate limits before any route answers.
  api.use((req, res, next) => {
    const call: DiscordCall = {
      method: req.method,
      route: decodeURIComponent(req.path),
      body: req.body,
      query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])),
      authorization: req.get("authorization"),
      status: 0,
      at: Date.now(),
    };
    calls.push(call);
    res.locals.call = call;
    res.on("finish", () => {
      call.status = res.statusCode;
    });
    const limit = limits.find((l) => l.times > 0 && l.method === req.method && l.route.test(req.path));
    if (limit) {
      limit.times -= 1;
      return void tooMany(res, limit.retryAfter);
    }
    if (options.requestsPerSecond) {
      const now = Date.now();
      const bucketMs = options.bucketMs ?? 1000;
      if (now - bucketStart >= bucketMs) {
        bucketStart = now;
        bucketUsed = 0;
      }
      bucketUsed += 1;
      const resetAfter = Math.max(0.001, (bucketStart + bucketMs - now) / 1000);
      if (bucketUsed > options.requestsPerSecond) return void tooMany(res, resetAfter);
      res.set({
        "X-RateLimit-Limit": String(options.requestsPerSecond),
        "X-RateLimit-Remaining": String(options.requestsPerSecond - bucketUsed),
        "X-RateLimit-Reset": String((bucketStart + bucketMs) / 1000),
        "X-RateLimit-Reset-After": resetAfter.toFixed(3),
        "X-RateLimit-Bucket": "fake-bucket",
      });
    }
    // Interaction callbacks and webhooks are authorised by the interaction token in their path.
    const byToken = /^\/(interactions|webhooks)\//.test(req.path);
    if (!byToken && req.get("authorization") !== `Bot ${botToken}`) {
      return void res.status(401).json(UNAUTHORIZED);
    }
    next();
  });

  api.get("/gateway/bot", (_req, res) => {
    res.json({
      url: gatewayUrl,
      shards: options.recommendedShards ?? 1,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 86_400_000,
        max_concurrency: options.recommendedShards ?? 1,
      },
    });
  });
  api.get("/gateway", (_req, res) => void res.json({ url: gatewayUrl }));
  api.get("/users/@me", (_req, res) => void res.json(botUser()));
  api.get("/users/:id", (req, res) => {
    const user = users.get(req.params.id);
    if (!user) return void res.status(404).json({ message: "Unknown User", code: 10013 });
    res.json({ discriminator: "0", global_name: null, avatar: null, ...user });
  });

  // Command registration: Discord answers the registered commands with their new ids.
  const registerCommands = (req: express.Request, res: express.Response) => {
    const list = Array.isArray(req.body) ? (req.body as Array<Record<string, unknown>>) : [];
    const errors = commandErrors(req.body);
    if (errors) return void res.status(400).json(invalidForm(errors));
    res.json(list.map((c) => ({ ...c, id: nextId(), application_id: applicationId, version: nextId() })));
  };
  api.put("/applications/:app/commands", registerCommands);
  api.put("/applications/:app/guilds/:guild/commands", registerCommands);

  api.post("/users/@me/channels", (req, res) => {
    const recipient = String((req.body as { recipient_id?: unknown })?.recipient_id ?? "");
    if (!/^\d+$/.test(recipient)) {
      return void res.status(400).json({ message: "Invalid Form Body", code: 50035 });
    }
    let channel = dmChannels.get(recipient);
    if (!channel) {
      channel = nextId();
      dmChannels.set(recipient, channel);
      channelOwner.set(channel, recipient);
    }
    res.json({ id: channel, type: 1, recipients: [{ id: recipient, username: `user${recipient}` }] });
  });

  api.post("/channels/:channel/messages", (req, res) => {
    if (!messageIsValid(req.body, res, FLAGS.channel)) return;
    const channel = req.params.channel;
    const owner = channelOwner.get(channel);
    if (owner && closed.has(owner)) {
      return void res.status(403).json({ message: "Cannot send messages to this user", code: 50007 });
    }
    if (forbidden.has(channel)) return void res.status(403).json(MISSING_PERMISSIONS);
    // enforce_nonce: the same nonce again from the same bot answers the message it made the first time.
    const body = req.body as {
      nonce?: unknown;
      enforce_nonce?: unknown;
      content?: unknown;
      components?: unknown;
    };
    const nonceKey = body.enforce_nonce && body.nonce !== undefined ? `${channel}:${String(body.nonce)}` : "";
    const earlier = nonceKey ? nonces.get(nonceKey) : undefined;
    if (earlier) {
      (res.locals.call as DiscordCall).duplicate = true;
      return void res.json(earlier);
    }
    const posted = message(channel, req.body);
    stored.set(String(posted.id), {
      channelId: channel,
      authorId: botUserId,
      content: String(body.content ?? ""),
      components: body.components,
    });
    if (nonceKey) nonces.set(nonceKey, posted);
    res.json(posted);
  });
  api.patch("/channels/:channel/messages/:message", (req, res) => {
    const { channel, message: id } = req.params;
    if (forbidden.has(channel)) return void res.status(403).json(MISSING_PERMISSIONS);
    const found = stored.get(id);
    if (!found || found.channelId !== channel) {
      return void res.status(404).json({ message: "Unknown Message", code: 10008 });
    }
    if (found.authorId !== botUserId) {
      return void res
        .status(403)
        .json({ message: "Cannot edit a message authored by another user", code: 50005 });
    }
    if (!messageIsValid(req.body, res, FLAGS.edit, true)) return;
    // Fields left out stay as they were; `components: []` removes the buttons.
    const body = req.body as { content?: unknown; components?: unknown };
    if (body.content !== undefined) found.content = String(body.content);
    if (body.components !== undefined) found.components = body.components;
    res.json({ ...message(channel, { content: found.content, components: found.components }), id });
  });

  api.post("/interactions/:id/:token/callback", (req, res) => {
    if (acknowledged.has(req.params.id)) {
      return void res
        .status(400)
        .json({ message: "Interaction has already been acknowledged.", code: 40060 });
    }
    const callback = req.body as { type?: unknown; data?: unknown };
    const carriesMessage = callback?.type === 4 || callback?.type === 7;
    if (carriesMessage && !messageIsValid(callback.data, res, FLAGS.followUp)) return;
    acknowledged.add(req.params.id);
    if (req.query.with_response === "true") {
      return void res.json({ interaction: { id: req.params.id, type: 2 }, resource: { type: 5 } });
    }
    res.status(204).end();
  });
  api.patch("/webhooks/:app/:token/messages/:message", (req, res) => {
    if (messageIsValid(req.body, res, FLAGS.edit, true)) res.json(message("0", req.body));
  });
  api.post("/webhooks/:app/:token", (req, res) => {
    if (messageIsValid(req.body, res, FLAGS.followUp)) res.json(message("0", req.body));
  });
  api.delete("/webhooks/:app/:token/messages/:message", (_req, res) => void res.status(204).end());
  api.use((_req, res) => void res.status(404).json(NOT_FOUND));
  app.use("/api/v10", api);

  function message(channelId: string, body: unknown): Record<string, unknown> {
    return {
      id: nextId(),
      channel_id: channelId,
      type: 0,
      content: (body as { content?: unknown })?.content ?? "",
      author: botUser(),
      timestamp: new Date().toISOString(),
      ...(typeof body === "object" && body ? body : {}),
    };
  }
  function botUser() {
    return {
      id: botUserId,
      username: "crowdcart",
      discriminator: "0",
      global_name: null,
      avatar: null,
      bot: true,
    };
  }

  const server: Server = createServer(app);
  const wss = new WebSocketServer({ server, path: "/gateway" });
  wss.on("connection", (socket) => {
    const client = { socket, seq: 0, shard: [0, 1] as [number, number] };
    send(socket, { op: 10, d: { heartbeat_interval: 41_250 } });
    socket.on("message", (data) => {
      let frame: GatewayFrame;
      try {
        frame = JSON.parse(String(data)) as GatewayFrame;
      } catch {
        return void socket.close(4002, "Decode error");
      }
      gatewayFrames.push(frame);
      if (frame.op === 1) send(socket, { op: 11 });
      if (frame.op === 2 && (frame.d as { token?: unknown })?.token !== botToken) {
        return void socket.close(4004, "Authentication failed.");
      }
      if (frame.op === 2) {
        const shard = (frame.d as { shard?: unknown })?.shard;
        if (Array.isArray(shard) && shard.length === 2) client.shard = [Number(shard[0]), Number(shard[1])];
        client.seq += 1;
        send(socket, {
          op: 0,
          t: "READY",
          s: client.seq,
          d: {
            v: 10,
            user: botUser(),
            guilds: [],
            session_id: randomBytes(8).toString("hex"),
            resume_gateway_url: gatewayUrl,
            application: { id: applicationId, flags: 0 },
          },
        });
        clients.add(client);
        readyCount += 1;
        for (const wake of readyWaiters.splice(0)) wake();
      }
    });
    socket.on("close", () => clients.delete(client));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    calls,
    callsTo: (method, route) => calls.filter((c) => c.method === method && route.test(c.route)),
    dmsTo: (userId) => {
      const channel = dmChannels.get(userId);
      return calls
        .filter(
          (c) =>
            c.method === "POST" &&
            c.route === `/channels/${channel}/messages` &&
            c.status === 200 &&
            !c.duplicate,
        )
        .map((c) => c.body);
    },
    message: (channelId, messageId) => {
      const found = stored.get(messageId);
      return found && found.channelId === channelId ? { ...found } : undefined;
    },
    postAsUser: (channelId, userId, content) => {
      const id = nextId();
      stored.set(id, { channelId, authorId: userId, content });
      return id;
    },
    deleteMessage: (channelId, messageId) => {
      if (stored.get(messageId)?.channelId === channelId) stored.delete(messageId);
    },
    revokePermissions: (channelId) => void forbidden.add(channelId),
    closeDms: (userId) => void closed.add(userId),
    rateLimitNext: (method, route, retryAfter, times = 1) =>
      void limits.push({ method, route, retryAfter, times }),
    gatewayFrames,
    addUser: (user) => void users.set(user.id, user),
    waitForReady: () =>
      readyCount > 0 ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve)),
    dispatchInteraction: (interaction) => {
      const guild = typeof interaction.guild_id === "string" ? BigInt(interaction.guild_id) : undefined;
      let shardId = 0;
      for (const client of clients) {
        const [id, count] = client.shard;
        shardId = guild === undefined ? 0 : Number((guild >> 22n) % BigInt(count));
        if (id !== shardId) continue;
        client.seq += 1;
        send(client.socket, { op: 0, t: "INTERACTION_CREATE", s: client.seq, d: interaction });
      }
      return shardId;
    },
    identifiedShards: () => [...clients].map((c) => c.shard),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(socket: WebSocket, payload: Record<string, unknown>): void {
  socket.send(JSON.stringify(payload));
}

function tooMany(res: express.Response, retryAfterSeconds: number): void {
  res
    .status(429)
    .set({
      "Retry-After": String(Math.ceil(retryAfterSeconds)),
      "X-RateLimit-Limit": "1",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset-After": retryAfterSeconds.toFixed(3),
      "X-RateLimit-Bucket": "fake-bucket",
      "X-RateLimit-Scope": "user",
    })
    .json({ message: "You are being rate limited.", retry_after: retryAfterSeconds, global: false });
}

type ErrorTree = { [field: string]: ErrorTree } | { _errors: Array<{ code: string; message: string }> };

function invalidForm(errors: ErrorTree) {
  return { message: "Invalid Form Body", code: 50035, errors };
}

function fieldError(code: string, message: string): ErrorTree {
  return { _errors: [{ code, message }] };
}

/** Message flags Discord accepts where: an edit cannot make a message ephemeral, a DM cannot be. */
const FLAGS = { channel: 4 | 4096, followUp: 4 | 64 | 4096, edit: 4 } as const;

/**
 * Checks a message body as Discord does before sending it: content within 2,000 characters,
 * something to show, flags allowed there, and well-formed action rows of buttons. Answers the
 * refusal itself (50006, or 50035 with the errors tree) and returns false when it is refused.
 */
function messageIsValid(body: unknown, res: express.Response, allowedFlags: number, edit = false): boolean {
  const b = (body ?? {}) as { content?: unknown; components?: unknown; embeds?: unknown; flags?: unknown };
  const errors: Record<string, ErrorTree> = {};
  if (b.content !== undefined && (typeof b.content !== "string" || b.content.length > 2000)) {
    errors.content = fieldError("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
  }
  if (b.flags !== undefined && (typeof b.flags !== "number" || (b.flags & ~allowedFlags) !== 0)) {
    errors.flags = fieldError("MESSAGE_CANNOT_USE_FLAGS", "Message flags contain flags that cannot be set.");
  }
  const components = componentErrors(b.components);
  if (components) errors.components = components;
  if (Object.keys(errors).length > 0) {
    res.status(400).json(invalidForm(errors));
    return false;
  }
  const empty =
    (typeof b.content !== "string" || b.content.trim() === "") &&
    !(Array.isArray(b.embeds) && b.embeds.length) &&
    !(Array.isArray(b.components) && b.components.length);
  if (empty && !edit) {
    res.status(400).json({ message: "Cannot send an empty message", code: 50006 });
    return false;
  }
  return true;
}

/** At most 5 action rows of 1 to 5 buttons; link buttons carry a url, others a unique custom_id. */
function componentErrors(components: unknown): ErrorTree | undefined {
  if (components === undefined) return undefined;
  if (!Array.isArray(components) || components.length > 5) {
    return fieldError("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
  }
  const tree: Record<string, ErrorTree> = {};
  const ids = new Set<string>();
  components.forEach((row: { type?: unknown; components?: unknown }, r) => {
    const buttons = row?.components;
    if (row?.type !== 1 || !Array.isArray(buttons) || buttons.length === 0 || buttons.length > 5) {
      tree[r] = fieldError("UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).');
      return;
    }
    buttons.forEach((button: Record<string, unknown>, i) => {
      const problem = buttonProblem(button, ids);
      if (problem)
        tree[r] = { components: { [i]: { [problem.field]: fieldError(problem.code, problem.message) } } };
    });
  });
  return Object.keys(tree).length ? tree : undefined;
}

function buttonProblem(
  button: Record<string, unknown>,
  ids: Set<string>,
): { field: string; code: string; message: string } | undefined {
  if (button.type !== 2)
    return { field: "type", code: "COMPONENT_TYPE_INVALID", message: "Invalid component type" };
  if (typeof button.label !== "string" || button.label.length > 80) {
    return { field: "label", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 80 or fewer in length." };
  }
  if (button.style === 5) {
    if (
      typeof button.url !== "string" ||
      !/^(https?|discord):\/\//.test(button.url) ||
      button.custom_id !== undefined
    ) {
      return { field: "url", code: "BUTTON_COMPONENT_URL_REQUIRED", message: "A url is required" };
    }
    return undefined;
  }
  const id = button.custom_id;
  if (typeof button.style !== "number" || button.style < 1 || button.style > 4) {
    return { field: "style", code: "BUTTON_COMPONENT_INVALID_STYLE", message: "Invalid button style" };
  }
  if (typeof id !== "string" || id.length === 0 || id.length > 100 || button.url !== undefined) {
    return {
      field: "custom_id",
      code: "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
      message: "A custom id is required",
    };
  }
  if (ids.has(id))
    return {
      field: "custom_id",
      code: "COMPONENT_CUSTOM_ID_DUPLICATED",
      message: "Component custom id cannot be duplicated",
    };
  ids.add(id);
  return undefined;
}

const COMMAND_NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

/**
 * Checks `PUT /applications/{id}/commands` as Discord does: lower-case names of at most 32
 * characters, descriptions of 1 to 100, at most 25 options, required options before optional
 * ones, known option types, and no name twice at one level.
 */
function commandErrors(body: unknown): ErrorTree | undefined {
  if (!Array.isArray(body))
    return fieldError("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
  const errors: Record<string, ErrorTree> = {};
  const names = new Set<string>();
  body.forEach((command: Record<string, unknown>, i) => {
    const problems = entryErrors(command, names, 1);
    if (problems) errors[i] = problems;
  });
  return Object.keys(errors).length ? errors : undefined;
}

function entryErrors(
  entry: Record<string, unknown>,
  siblings: Set<string>,
  depth: number,
): ErrorTree | undefined {
  const errors: Record<string, ErrorTree> = {};
  const name = entry?.name;
  if (typeof name !== "string" || !COMMAND_NAME.test(name)) {
    errors.name = fieldError("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid");
  } else if (siblings.has(name)) {
    errors.name = fieldError(
      "APPLICATION_COMMAND_DUPLICATE_NAME",
      "Application command names must be unique",
    );
  } else siblings.add(name);
  const description = entry?.description;
  if (typeof description !== "string" || description.length < 1 || description.length > 100) {
    errors.description = fieldError("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
  }
  if (depth > 1 && (typeof entry.type !== "number" || entry.type < 1 || entry.type > 11)) {
    errors.type = fieldError(
      "BASE_TYPE_CHOICES",
      "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.",
    );
  }
  if (typeof entry.max_length === "number" && (entry.max_length < 1 || entry.max_length > 6000)) {
    errors.max_length = fieldError("NUMBER_TYPE_MAX", "int value should be less than or equal to 6000.");
  }
  const options = entry?.options;
  if (options !== undefined) {
    if (!Array.isArray(options) || options.length > 25) {
      errors.options = fieldError("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    } else {
      const tree: Record<string, ErrorTree> = {};
      const optionNames = new Set<string>();
      let optionalSeen = false;
      options.forEach((option: Record<string, unknown>, i) => {
        const problems = entryErrors(option, optionNames, depth + 1);
        if (problems) tree[i] = problems;
        else if (option.required && optionalSeen) {
          tree[i] = fieldError(
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
            "Required options must be placed before non-required options",
          );
        }
        if (!option.required && option.type !== 1 && option.type !== 2) optionalSeen = true;
      });
      if (Object.keys(tree).length) errors.options = tree;
    }
  }
  return Object.keys(errors).length ? errors : undefined;
}
