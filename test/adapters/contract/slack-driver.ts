import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { COMMANDS } from "../../../commands";
import { countHandled } from "../../support/handled-count";
import { slashCommandBody } from "../../support/slack-sign";
import { startSlackHarness } from "../slack/slack-harness";
import { type AdapterDriver, cardRef, isCard, refHalves } from "./adapter-contract";

/** Slack's markup escapes, undone so the contract reads plain text. */
const plain = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const slackId = (name: string) => `U${name.toUpperCase()}`;
const names = new SlackCommandNames(COMMANDS);
/** The line as a Slack user types it: `/join X` is `/joingroup X` on Slack. */
const typed = (line: string) => line.replace(/^\/(\S+)/, (_m, name: string) => `/${names.published(name)}`);

export async function slackDriver(env: Record<string, string> = {}): Promise<AdapterDriver> {
  const h = await startSlackHarness({ env });
  const driver: AdapterDriver = {
    publicUrl: h.service.publicUrl,
    mention: (name) => `<@${slackId(name)}|${name}>`,
    commandName: (command) => names.published(command),
    async send(user, line) {
      const { reply } = await h.command(slackId(user), typed(line), { userName: user });
      // Slack shows a response without `response_type` to the caller only, as an ephemeral one.
      return { text: plain(reply.text), private: reply.response_type !== "in_channel" };
    },
    sendAside: (user, line) => driver.send(user, line),
    async sendTwice(user, line) {
      const [command, ...rest] = typed(line).split(" ");
      const responseUrl = h.fake.responseUrl();
      const body = slashCommandBody({
        command: command!,
        text: rest.join(" "),
        userId: slackId(user),
        userName: user,
        responseUrl,
      });
      // The first reply rides on the acknowledgement: the redelivery comes after it.
      await (await h.send(body)).text();
      await h.send(body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    },
    async dms(user) {
      return h.fake.dmsTo(slackId(user)).map((m) => plain(String(m.text)));
    },
    async dmButtons(user) {
      const blocks = h.fake.dmsTo(slackId(user)).map((m) => JSON.stringify(m.blocks ?? []));
      return blocks.flatMap((json) => [...json.matchAll(/"value":"(\/[^"]*)"/g)].map((match) => match[1]!));
    },
    async card(code) {
      const texts = (method: string) =>
        h.fake
          .callsTo(method)
          .filter((c) => c.status === 200 && !("error" in c) && isCard(code)(plain(String(c.args.text))))
          .map((c) => plain(String(c.args.text)));
      return { posts: texts("chat.postMessage"), edits: texts("chat.update") };
    },
    deleteCard: async (code) =>
      h.fake.deleteMessage(...refHalves(await cardRef(h.service.db.connection, code))),
    handled: countHandled(h.service.chat),
    groupCount: () => h.service.db.connection.collection("groups").countDocuments(),
    stop: () => h.stop(),
  };
  return driver;
}
