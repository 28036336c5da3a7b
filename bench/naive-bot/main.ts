/**
 * The floor the command benchmarks compare crowdcart with: the Slack bot a developer would write
 * in an afternoon. Bolt 5 with its own ExpressReceiver (`processBeforeResponse`: the reply rides in
 * the acknowledgement), mongoose, one write per command where one will do, no idempotency, no
 * outbox, no session codes. Its own process, its own database on the same store.
 * Env: MONGODB_URI, SLACK_SIGNING_SECRET, PORT (0 = any); prints {"msg":"listening","port":n}.
 */
import { randomBytes } from "node:crypto";
import { App, ExpressReceiver, LogLevel } from "@slack/bolt";
import mongoose, { Schema } from "mongoose";

const Cart = mongoose.model(
  "NaiveCart",
  new Schema({ _id: String, items: { type: Map, of: Number } }, { versionKey: false }),
  "carts",
);
const Group = mongoose.model(
  "NaiveGroup",
  new Schema(
    { _id: String, sku: String, max: Number, count: Number, members: [String], invited: [String] },
    { versionKey: false },
  ),
  "groups",
);
const Order = mongoose.model(
  "NaiveOrder",
  new Schema({ group: String, user: String, sku: String, qty: Number }, { versionKey: false }),
  "orders",
);

async function main(): Promise<void> {
  await mongoose.connect(process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017/naive");
  const receiver = new ExpressReceiver({
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? "",
    processBeforeResponse: true,
    logLevel: LogLevel.ERROR,
  });
  // The bot's own ids given up front, as for a single-workspace app: no auth.test call to Slack.
  const app = new App({
    token: "xoxb-naive",
    botId: "BNAIVE",
    botUserId: "UNAIVE",
    receiver,
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });

  receiver.router.get("/healthz", async (_req, res) => {
    await mongoose.connection.db?.admin().ping();
    res.json({ status: "ok" });
  });

  // `/cart add <sku> [qty=n]`: one upsert, the cart comes back in the same round trip.
  app.command("/cart", async ({ command, ack }) => {
    const [, sku = "", qtyWord = ""] = command.text.split(/\s+/);
    const qty = Number(/^qty=(\d+)$/.exec(qtyWord)?.[1] ?? 1);
    const cart = await Cart.findOneAndUpdate(
      { _id: command.user_id },
      { $inc: { [`items.${sku.toUpperCase()}`]: qty } },
      { upsert: true, returnDocument: "after" },
    ).lean();
    const items = Object.entries(cart?.items ?? {});
    await ack({ text: `Your cart: ${items.map(([line, n]) => `${n} × ${line}`).join(", ")}` });
  });

  // `/join <code>`: take a place if there is one, then write the order.
  app.command("/join", async ({ command, ack }) => {
    const code = command.text.trim();
    const group = await Group.findOneAndUpdate(
      { _id: code, members: { $ne: command.user_id }, $expr: { $lt: ["$count", "$max"] } },
      { $inc: { count: 1 }, $push: { members: command.user_id } },
      { returnDocument: "after" },
    ).lean();
    if (!group) return void (await ack({ text: "That group is full or unknown." }));
    await Order.create({ group: code, user: command.user_id, sku: group.sku, qty: 1 });
    await ack({ text: `Joined ${code}: ${group.count} of ${group.max}.` });
  });

  // `/groupbuy <sku> [max=n] @a @b …`: one insert holding the group and whom it invites.
  app.command("/groupbuy", async ({ command, ack }) => {
    const words = command.text.split(/\s+/);
    const max = Number(words.find((w) => w.startsWith("max="))?.slice(4) ?? 10);
    const invited = words.filter((w) => w.startsWith("<@") || w.startsWith("@"));
    const code = randomBytes(8).toString("hex").toUpperCase();
    await Group.create({ _id: code, sku: words[0], max, count: 0, members: [], invited });
    await ack({
      text: `Group ${code} open for ${words[0]}: /join ${code} (invited ${invited.length}) /g/${code}`,
    });
  });

  const server = await receiver.start(Number(process.env.PORT ?? 0));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(JSON.stringify({ msg: "naive bot listening", port }));
  // An orderly exit on SIGTERM, so a CPU profile (BENCH_CPU_PROF) gets written.
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
