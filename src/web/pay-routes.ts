import { type Request, type Response, Router } from "express";
import type { Logger } from "../logger";
import { loadAssets } from "./assets";
import { MESSAGES, renderMessagePage } from "./message-page";
import { type PayPageModel, renderPayPage } from "./pay-page";
import { pageSecurity } from "./security";

/** What the demo checkout asks of the engine. */
export interface DemoCheckouts {
  /** The page's model for a checkout id, or null when no order has it. */
  find(checkoutId: string): Promise<PayPageModel | null>;
  /** The pretend card is authorized (or paid, for a cart): reported as a provider would. */
  authorize(checkoutId: string): Promise<void>;
}

const CHECKOUT_ID = /^demo_[A-Za-z0-9_-]{16,64}$/;

/** `GET /pay/:id` and its two buttons (PAYMENTS=demo only). */
export function createDemoPayRouter(checkouts: DemoCheckouts, log: Logger): Router {
  const assets = loadAssets();
  const router = Router();
  router.use(pageSecurity({ forms: true }));
  const show = async (req: Request, res: Response, declined = false) => {
    const id = String(req.params.id);
    const model = CHECKOUT_ID.test(id) ? await checkouts.find(id) : null;
    res.set("Cache-Control", "private, no-store").type("html");
    if (!model) return void res.status(404).send(renderMessagePage(MESSAGES.payNotFound, assets).toString());
    const state = declined && model.state === "awaiting" ? "declined" : model.state;
    res.send(renderPayPage({ ...model, state }, assets).toString());
  };
  const guarded = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) =>
    fn(req, res).catch((error: unknown) => {
      log.warn({ err: error }, "demo checkout failed");
      res.status(503).type("html").send(renderMessagePage(MESSAGES.unavailable, assets).toString());
    });
  router.get(
    "/:id",
    guarded((req, res) => show(req, res)),
  );
  router.post(
    "/:id/authorize",
    guarded(async (req, res) => {
      const id = String(req.params.id);
      if (CHECKOUT_ID.test(id) && (await checkouts.find(id))?.state === "awaiting")
        await checkouts.authorize(id);
      // Post, then redirect: reloading the page never authorizes twice.
      res.redirect(303, `/pay/${id}`);
    }),
  );
  router.post(
    "/:id/decline",
    guarded((req, res) => show(req, res, true)),
  );
  return router;
}
