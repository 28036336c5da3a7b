import express, { type Router } from "express";
import type { Logger } from "../../src/logger";
import type { InitialResponder } from "./handle";
import { loadDiscordPublicKey, verifyDiscordSignature } from "./verify";

/**
 * `POST /discord/interactions` (mounted at /discord). The body stays raw bytes until the Ed25519
 * signature over timestamp + body checks out: a forged request is refused before it is parsed.
 */
export function discordInteractionsRouter(
  publicKeyHex: string,
  handle: (payload: unknown, respond: InitialResponder) => Promise<void>,
  log: Logger,
): Router {
  const key = loadDiscordPublicKey(publicKeyHex);
  const router = express.Router();
  router.post("/interactions", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (
      !verifyDiscordSignature(key, req.get("x-signature-ed25519"), req.get("x-signature-timestamp"), body)
    ) {
      return void res.status(401).type("text/plain").send("invalid request signature");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return void res.status(400).type("text/plain").send("Bad request: body is not JSON");
    }
    try {
      await handle(payload, async (initial) => {
        res.status(200).json(initial);
      });
    } catch (error) {
      log.error({ err: error }, "discord interaction failed");
      if (!res.headersSent) {
        res
          .status(200)
          .json({ type: 4, data: { content: "Something went wrong; please try again.", flags: 64 } });
      }
    }
  });
  return router;
}
