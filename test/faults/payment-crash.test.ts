import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { type EmbeddedMongo, startEmbeddedMongo } from "../../embedded-mongo";
import type { GroupDoc, OrderDoc } from "../../models";
import { eventually } from "../support/eventually";
import { type FakeStripe, startFakeStripe } from "../support/fake-stripe";
import { codeIn, playgroundSay } from "../support/playground-client";
import { type SpawnedService, spawnService } from "../support/spawn-service";

const SECRET_KEY = "sk_test_crowdcart_crash";
const WEBHOOK_SECRET = "whsec_crowdcart_crash";
const START_MS = 120_000;

/**
 * The service is killed with SIGKILL after Stripe authorized two holds and before crowdcart recorded
 * them (their events never got through), then started again on the same database: the start-up
 * reconciliation finds both payments, the group completes and both holds are captured; the events
 * delivered late change nothing more.
 */
describe("kill -9 between an authorization and its recording", () => {
  let store: EmbeddedMongo;
  let fake: FakeStripe;
  let client: MongoClient;
  const services: SpawnedService[] = [];

  beforeAll(async () => {
    store = await startEmbeddedMongo();
    fake = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    client = await MongoClient.connect(store.uri);
  });
  afterAll(async () => {
    for (const service of services) service.child.kill("SIGKILL");
    await Promise.all(services.map((s) => s.exited));
    await client.close();
    await fake.close();
    await store.stop();
  });

  const start = async () => {
    const service = await spawnService(
      {
        MONGODB_URI: store.uri.replace("/?", "/paycrash?"),
        ...fake.env(),
      },
      START_MS,
    );
    services.push(service);
    fake.webhookUrl = `${service.base}/stripe/webhook`;
    return service;
  };
  const db = () => client.db("paycrash");

  it(
    "loses no payment: the restart records both holds, completes the group and captures them",
    async () => {
      const first = await start();
      const code = codeIn((await playgroundSay(first.base, "ann", "/groupbuy KB-75 size=2")).text, "g");
      const sessions: string[] = [];
      for (const who of ["bob", "cat"]) {
        const reply = await playgroundSay(first.base, who, `/join ${code}`);
        sessions.push(/cs_test_[0-9a-f]+/.exec(reply.text)![0]);
      }
      // Stripe authorizes both holds; the process dies before either event is recorded.
      fake.holdEvents = true;
      for (const session of sessions) await fake.pay(session);
      first.child.kill("SIGKILL");
      await first.exited;
      const orders = () => db().collection<OrderDoc>("orders").find({ groupCode: code }).toArray();
      expect((await orders()).map((o) => o.payment?.state)).toEqual(["awaiting", "awaiting"]);

      await start();
      const group = await eventually(
        "the group completed",
        () => db().collection<GroupDoc>("groups").findOne({ _id: code }),
        (g) => g?.state === "complete",
        60_000,
      );
      expect(group?.paidCount).toBe(2);
      await eventually(
        "both captured",
        orders,
        (list) => list.every((o) => o.payment?.state === "captured"),
        60_000,
      );
      for (const session of sessions) {
        expect(fake.intent(fake.session(session)!.payment_intent!)).toMatchObject({
          status: "succeeded",
          amount_received: 12_900,
        });
      }
      // The events Stripe delivers again later are taken and change nothing.
      expect(await fake.release()).toEqual([200, 200]);
      expect((await db().collection<GroupDoc>("groups").findOne({ _id: code }))?.paidCount).toBe(2);
      expect(fake.calls.filter((c) => c.path.endsWith("/capture") && !c.replayed)).toHaveLength(2);
    },
    2 * START_MS + 60_000,
  );
});
