import express, { type Router } from "express";
import type { Update } from "telegraf/types";
import type { Logger } from "../../src/logger";
import { SECRET_HEADER, verifyTelegramSecret } from "./verify";

const LIMIT_BYTES = 1024 * 1024;

/**
 * `POST /telegram/webhook` (mounted at /telegram). The secret header is checked before the body is
 * even parsed, so a forged request costs nothing and changes nothing. Telegram redelivers an update
 * until it gets a 2xx; the router's event ids make that harmless.
 */
export function telegramWebhookRouter(
  secret: string,
  onUpdate: (update: Update) => Promise<void>,
  log: Logger,
): Router {
  const router = express.Router();
  router.post(
    "/webhook",
    (req, res, next) => {
      // Too large is told first, as on the other webhooks, from the declared length alone.
      if (Number(req.get("content-length")) > LIMIT_BYTES) {
        return void res.status(413).type("text/plain").send("Request body too large.");
      }
      if (!verifyTelegramSecret(secret, req.get(SECRET_HEADER))) {
        return void res.status(401).type("text/plain").send("Unauthorized");
      }
      next();
    },
    express.json({ limit: LIMIT_BYTES }),
    async (req, res) => {
      const update = req.body as unknown;
      if (typeof update !== "object" || update === null || typeof (update as Update).update_id !== "number") {
        return void res.status(400).type("text/plain").send("Bad request: not a Telegram update");
      }
      try {
        await onUpdate(update as Update);
      } catch (error) {
        // Our failure, not Telegram's: answer 200 anyway so one bad update is not redelivered forever.
        log.error({ err: error, updateId: (update as Update).update_id }, "telegram update failed");
      }
      res.status(200).json({ ok: true });
    },
  );
  return router;
}
