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
}

/** One gateway frame the client sent (IDENTIFY, heartbeats, …). */
export interface GatewayFrame {
  op: number;
  d: unknown;
}

export interface FakeDiscordOptions {
  applicationId?: string;
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
  close(): Promise<void>;
}

const NOT_FOUND = { message: "404: Not Found", code: 0 };

/**
 * A local stand-in for discord.com: the REST routes crowdcart uses under `/api/v10`, answering and
 * erroring like Discord (50007, 429 with Retry-After and X-RateLimit headers), and a gateway that
 * speaks HELLO, IDENTIFY/READY, heartbeats and INTERACTION_CREATE to a discord.js client.
 */
export async function startFakeDiscordApi(options: FakeDiscordOptions = {}): Promise<FakeDiscordApi> {
  const applicationId = options.applicationId ?? "100000000000000001";
  const botUserId = options.botUserId ?? applicationId;
  const calls: DiscordCall[] = [];
  const closed = new Set<string>();
  const limits: Array<{ method: string; route: RegExp; retryAfter: number; times: number }> = [];
  const dmChannels = new Map<string, string>();
  const channelOwner = new Map<string, string>();
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

  // Command registration: Discord answers the registered commands with their new ids.
  const registerCommands = (req: express.Request, res: express.Response) => {
    const list = Array.isArray(req.body) ? (req.body as Array<Record<string, unknown>>) : [];
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
    const owner = channelOwner.get(req.params.channel);
    if (owner && closed.has(owner)) {
      return void res.status(403).json({ message: "Cannot send messages to this user", code: 50007 });
    }
    res.json(message(req.params.channel, req.body));
  });

  api.post("/interactions/:id/:token/callback", (req, res) => {
    if (req.query.with_response === "true") {
      return void res.json({ interaction: { id: req.params.id, type: 2 }, resource: { type: 5 } });
    }
    res.status(204).end();
  });
  api.patch("/webhooks/:app/:token/messages/:message", (req, res) => void res.json(message("0", req.body)));
  api.post("/webhooks/:app/:token", (req, res) => void res.json(message("0", req.body)));
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
        .filter((c) => c.method === "POST" && c.route === `/channels/${channel}/messages` && c.status === 200)
        .map((c) => c.body);
    },
    closeDms: (userId) => void closed.add(userId),
    rateLimitNext: (method, route, retryAfter, times = 1) =>
      void limits.push({ method, route, retryAfter, times }),
    gatewayFrames,
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
