import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { stripeClient } from "../../../src/payments";
import { eventually } from "../../support/eventually";
import { type FakeStripe, startFakeStripe } from "../../support/fake-stripe";
import { type FulfillmentReceiver, startFulfillmentReceiver } from "../../support/fulfillment-receiver";
import type { AdapterDriver } from "./adapter-contract";

const SECRET_KEY = "sk_test_crowdcart_contract";
const WEBHOOK_SECRET = "whsec_crowdcart_contract";
const FULFILLMENT_SECRET = "fulfillment-contract-secret";

/** A driver started with extra environment (the payment variables). */
export type DriverWithEnv = (env: Record<string, string>) => Promise<AdapterDriver>;

/**
 * Money held until the group succeeds, end to end through one platform's adapter: the real
 * service with PAYMENTS=stripe, the Stripe SDK against the local fake Stripe (whose signed events
 * reach the real webhook endpoint), and the shipping requests read from a fulfillment receiver.
 */
export function paymentContract(name: string, start: DriverWithEnv): void {
  describe(`payments contract: ${name}`, () => {
    let d: AdapterDriver;
    let fake: FakeStripe;
    let receiver: FulfillmentReceiver;

    beforeAll(async () => {
      fake = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
      receiver = await startFulfillmentReceiver(FULFILLMENT_SECRET);
      d = await start({
        ...fake.env(),
        FULFILLMENT_WEBHOOK_URL: receiver.url,
        FULFILLMENT_WEBHOOK_SECRET: FULFILLMENT_SECRET,
      });
      fake.webhookUrl = `${d.publicUrl}/stripe/webhook`;
    });
    afterAll(async () => {
      await d?.stop();
      await receiver?.close();
      await fake?.close();
    });

    const shipped = () =>
      receiver.received.map(
        (r) =>
          JSON.parse(r.body) as { orderId: string; status: string; groupCode: string | null; sku: string },
      );
    const shippingOf = (orderId: string) =>
      shipped()
        .filter((s) => s.orderId === orderId)
        .map((s) => s.status);
    /** Opens a group; `aside` where its card and replies need not count against a channel's limits. */
    const open = async (line: string, aside = false) => {
      const reply = await (aside ? d.sendAside("ana", line) : d.send("ana", line));
      const code = /Group code: ([0-9A-Z]+)/.exec(reply.text)?.[1];
      if (!code) throw new Error(`no group code in: ${reply.text}`);
      // The card goes to the channel on its own time: waited for, so no reply below is mistaken for it.
      await until("the group's card", async () => (await d.card(code)).posts.length > 0);
      return code;
    };
    /** `user` joins (or runs a button's `/join <code>`); the private reply carries the Checkout link: the session it opened. */
    const join = async (user: string, code: string) => {
      const reply = await d.send(user, code.startsWith("/") ? code : `/join ${code}`);
      expect(reply.private).toBe(true);
      const id = /cs_test_[0-9a-f]+/.exec(reply.text)?.[0];
      const session = id ? fake.session(id) : undefined;
      if (!session) throw new Error(`no checkout link in: ${reply.text}`);
      expect(reply.text).toContain(session.url!);
      return session;
    };
    const intentOf = (sessionId: string) => fake.intent(fake.session(sessionId)!.payment_intent!)!;

    it("a group that completes captures every hold at the discounted price, and ships only after capture", async () => {
      const code = await open("/groupbuy KB-75 size=3");
      const sessions = [await join("bob", code), await join("cat", code), await join("dan", code)];
      await fake.pay(sessions[0]!.id);
      await fake.pay(sessions[1]!.id);
      expect(sessions.flatMap((s) => shippingOf(s.metadata.orderId!))).toEqual([]);
      await fake.pay(sessions[2]!.id);
      await until("three shipping requests", async () =>
        sessions.every((s) => shippingOf(s.metadata.orderId!).includes("requested")),
      );
      for (const session of sessions) {
        // 10% off 12 900 at three members, never charged.
        expect(intentOf(session.id)).toMatchObject({ status: "succeeded", amount_received: 11_610 });
      }
      await until("bob's DM of what was charged", async () =>
        (await d.dms("bob")).some((t) => t.includes("Charged: €116.10") && t.includes("You saved €12.90")),
      );
    });

    it("a group that fails releases every hold and captures none", async () => {
      const code = await open("/groupbuy KB-75 size=3");
      const sessions = [await join("bob", code), await join("cat", code)];
      for (const session of sessions) await fake.pay(session.id);
      await d.send("ana", `/group ${code} cancel`);
      await until("both holds released", async () =>
        sessions.every((s) => intentOf(s.id).status === "canceled"),
      );
      expect(sessions.flatMap((s) => shippingOf(s.metadata.orderId!))).toEqual([]);
    });

    it("a member who never pays gives the place back when the checkout expires", async () => {
      const code = await open("/groupbuy KB-75 size=2");
      const session = await join("bob", code);
      await fake.expire(session.id);
      await until("bob told the place went back", async () =>
        (await d.dms("bob")).some((t) => t.includes(`group ${code} was given back`)),
      );
      const status = await d.send("cat", `/group ${code}`);
      expect(status.text).toContain("0 of 2 members");
    });

    it("a place freed in a full group is offered to the first waiting by DM with a button that takes it", async () => {
      const code = await open("/groupbuy KB-75 size=2 max=2", true);
      const held = [await join("bob", code), await join("cat", code)];
      // Every place is taken, none paid yet: the group is full but open, and the next one waits.
      expect((await d.sendAside("wanda", `/join ${code}`)).text).toContain("number 1 on its waitlist");
      await d.sendAside("cat", `/leave ${code}`);
      const dms = await eventually(
        "wanda's offer",
        () => d.dms("wanda"),
        (list) => list.some((t) => t.includes(`A place is free in group ${code}`)),
      );
      const offer = dms.find((t) => t.includes(`A place is free in group ${code}`))!;
      expect(offer).toContain(`or type /${d.commandName("join")} ${code}`);
      const button = (await d.dmButtons("wanda")).find((command) => command === `/join ${code}`);
      expect(button).toBe(`/join ${code}`);
      // Held for her: anyone else still queues, and /group says a place is offered.
      expect((await d.sendAside("xena", `/join ${code}`)).text).toContain("number 1 on its waitlist");
      expect((await d.sendAside("ana", `/group ${code}`)).text).toContain("1 place offered to the waitlist.");
      // The button's command makes her a member awaiting payment, with her own checkout.
      const taken = await join("wanda", button!);
      await fake.pay(held[0]!.id);
      await fake.pay(taken.id);
      await until("both holds captured", async () =>
        [held[0]!, taken].every((s) => intentOf(s.id).status === "succeeded"),
      );
      const status = (await d.sendAside("ana", `/group ${code}`)).text;
      expect(status).toContain("Members: bob, wanda.");
      expect(status).not.toContain("offered to the waitlist");
    });

    it("an organiser cancel after capture refunds what was charged", async () => {
      const code = await open("/groupbuy KB-75 size=2");
      const sessions = [await join("bob", code), await join("cat", code)];
      for (const session of sessions) await fake.pay(session.id);
      await until("both captured", async () => sessions.every((s) => intentOf(s.id).status === "succeeded"));
      await d.send("ana", `/group ${code} cancel`);
      await until("both refunded", async () =>
        sessions.every((s) => fake.allRefunds().some((r) => r.payment_intent === intentOf(s.id).id)),
      );
      for (const session of sessions) {
        const refunded = fake.allRefunds().filter((r) => r.payment_intent === intentOf(session.id).id);
        expect(refunded.map((r) => r.amount)).toEqual([12_900]);
      }
      // The organiser, not a member, hears of the completion and then of the cancellation.
      await until("ana told of the cancellation", async () =>
        (await d.dms("ana")).some((t) => t.includes(code) && t.includes("cancelled")),
      );
    });

    it("a paid cart is one checkout for its lines; it closes and ships only once paid", async () => {
      await d.send("eve", "/cart add KC-PBT qty=2");
      await d.send("eve", "/cart add SW-LIN");
      const reply = await d.send("eve", "/cart checkout");
      expect(reply.private).toBe(true);
      const session = fake.session(/cs_test_[0-9a-f]+/.exec(reply.text)?.[0] ?? "")!;
      expect(session).toMatchObject({ capture_method: "automatic", amount_total: 15_300 });
      expect(session.line_items.map((l) => l.quantity)).toEqual([2, 1]);
      const cartCheckoutId = session.metadata.cartCheckoutId!;
      expect(fake.allSessions().filter((s) => s.metadata.cartCheckoutId === cartCheckoutId)).toHaveLength(1);
      // Locked until paid: the cart shows its Pay link, and a change is refused.
      expect((await d.send("eve", "/cart")).text).toContain(`Pay: ${session.url}`);
      expect((await d.send("eve", "/cart add MAT-XL")).text).toContain("waiting for payment");
      const cartShipping = () => shipped().filter((s) => s.groupCode === null);
      expect(cartShipping()).toEqual([]);
      await fake.pay(session.id);
      await until("the cart closed", async () =>
        (await d.send("eve", "/cart")).text.includes("previous cart was checked out"),
      );
      const paid = fake.intent(fake.session(session.id)!.payment_intent!)!;
      expect(paid).toMatchObject({ status: "succeeded", amount_received: 15_300 });
      await until(
        "both lines' shipping requests",
        async () => shipped().filter((s) => s.status === "requested").length >= 2,
      );
    });

    it("a forged webhook changes nothing", async () => {
      const code = await open("/groupbuy KB-75 size=2 max=2");
      const sessions = [await join("bob", code), await join("cat", code)];
      fake.holdEvents = true;
      const events = [await fake.pay(sessions[0]!.id), await fake.pay(sessions[1]!.id)];
      fake.held = [];
      fake.holdEvents = false;
      const signer = stripeClient({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
      for (const event of events) {
        const payload = JSON.stringify(event);
        const forged = await fetch(fake.webhookUrl!, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "stripe-signature": signer.webhooks.generateTestHeaderString({ payload, secret: "whsec_forger" }),
          },
          body: payload,
        });
        expect(forged.status).toBe(400);
      }
      // Both paid at Stripe, but crowdcart believed neither: the group is still open, nothing captured.
      expect((await d.send("dan", `/group ${code}`)).text).toContain("Status: open");
      expect(sessions.map((s) => intentOf(s.id).status)).toEqual(["requires_capture", "requires_capture"]);
      // The genuine events then complete it.
      for (const event of events) expect(await fake.send(event)).toBe(200);
      await until("both captured", async () => sessions.every((s) => intentOf(s.id).status === "succeeded"));
    });
  });
}

/** Until `ok` holds (see test/support/eventually.ts). */
const until = (what: string, ok: () => Promise<boolean>) => eventually(what, ok, Boolean);
