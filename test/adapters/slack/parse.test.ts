import { describe, expect, it } from "@jest/globals";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { commandInvocation, unescapeSlackText } from "../../../adapters/slack/parse";
import { renderReply } from "../../../adapters/slack/render";
import { COMMANDS } from "../../../commands";

const names = new SlackCommandNames(COMMANDS);

describe("Slack text in", () => {
  it("keeps user mentions for the parser and unwraps emails, links, channels and escapes", () => {
    expect(
      unescapeSlackText(
        "<@U1|ana> email=<mailto:a@b.co|a@b.co> <https://x.test/p|x.test/p> <#C1|general> <!here> a &lt;b&gt; &amp;",
      ),
    ).toBe("<@U1|ana> email=a@b.co x.test/p #general @here a <b> &");
  });

  it("builds a team-scoped invocation and tells DMs from channels", () => {
    const base = {
      command: "/join",
      text: "ABC",
      team_id: "T9",
      user_id: "U7",
      user_name: "ana",
      channel_id: "C1",
    };
    const inChannel = commandInvocation(base, "e1", names);
    expect(inChannel).toMatchObject({
      platform: "slack",
      command: "join",
      args: { text: "ABC" },
      user: { id: "T9:U7", displayName: "ana" },
      channel: { id: "C1", kind: "group" },
    });
    expect(
      commandInvocation({ ...base, channel_id: "D1", channel_name: "directmessage" }, "e2", names).channel
        .kind,
    ).toBe("direct");
  });
});

describe("Slack reply out", () => {
  it("sends private replies as ephemeral and channel replies in the channel", () => {
    expect(renderReply({ text: "a", visibility: "private" })[0]?.response_type).toBe("ephemeral");
    expect(renderReply({ text: "a", visibility: "channel" })[0]?.response_type).toBe("in_channel");
  });

  it("escapes markup and adds buttons as an actions block", () => {
    const [out] = renderReply({
      text: "<x> & y",
      visibility: "channel",
      buttons: [{ label: "Join", command: "/join A" }],
    });
    expect(out?.text).toBe("&lt;x&gt; &amp; y");
    expect(JSON.stringify(out?.blocks)).toContain('"action_id":"crowdcart:run:0"');
  });
});
