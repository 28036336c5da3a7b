import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type SlackHarness, startSlackHarness } from "./slack-harness";

let h: SlackHarness;
let code = "";

beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

const codeOf = (text: string) => /Group code: ([0-9A-Z]+)/.exec(text)?.[1] ?? "";

describe("Slack slash commands end to end", () => {
  it("answers /catalog in the channel, acknowledged within Slack's 3 seconds", async () => {
    const result = await h.command("U1", "/catalog", { userName: "ana" });
    expect(result.status).toBe(200);
    expect(result.delivery.timedOut).toBe(false);
    expect(result.reply.response_type).toBe("in_channel");
    expect(result.reply.text).toContain("KB-75");
  });

  it("opens a group with /groupbuy, mentions as ids, and DMs each member a personal link and a Join button", async () => {
    const result = await h.command("U1", "/groupbuy KB-75 size=2 <@U2|bob> <@U3>", { userName: "ana" });
    expect(result.reply.response_type).toBe("in_channel");
    code = codeOf(result.reply.text);
    expect(code).toMatch(/^[0-9A-Z]{13}$/);
    expect(result.reply.text).toContain(`${h.service.publicUrl}/g/${code}`);
    await h.fake.waitFor(
      "DMs to U2 and U3",
      () => h.fake.dmsTo("U2").length > 0 && h.fake.dmsTo("U3").length > 0,
    );
    const dm = h.fake.dmsTo("U2")[0]!;
    expect(String(dm.text)).toContain(code);
    expect(String(dm.text)).toContain("ana");
    expect(String(dm.text)).toMatch(new RegExp(`/g/${code}\\?m=`));
    // Slack keeps /join for itself: the invitation names the command the invitee can type.
    expect(String(dm.text)).toContain(`/joingroup ${code}`);
    expect(String(dm.text)).not.toMatch(/\/join\b/);
    expect(JSON.stringify(dm.blocks)).toContain(`"value":"/join ${code}"`);
    expect(h.fake.callsTo("conversations.open").map((c) => c.args.users)).toEqual(
      expect.arrayContaining(["U2", "U3"]),
    );
  });

  it("runs /join for the person who clicks the Join button in their DM", async () => {
    const result = await h.click("U2", `/join ${code}`, "DU2");
    expect(result.reply.text).toContain(`joined group ${code}`);
    expect(result.reply.text).toContain("1 of 2 members");
  });

  it("joins with /joingroup and another product and qty", async () => {
    const result = await h.command("U3", `/joingroup ${code} KC-PBT qty=2`);
    expect(result.reply.text).toContain("2 × PBT keycap set");
    expect(result.reply.text).toContain("complete");
  });

  it("shows the organiser the members' details, only to them", async () => {
    const result = await h.command("U1", `/group ${code}`);
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).toContain("Organiser details");
    expect(result.reply.text).toContain("2 of 2 members");
  });

  it("gives the organiser, in that private reply, a link to every order as CSV", async () => {
    const result = await h.command("U1", `/group ${code}`);
    const link = /(\S+\/orders\.csv\?k=[A-Za-z0-9_-]+)/.exec(result.reply.text)?.[1] ?? "";
    expect(link.startsWith(`${h.service.publicUrl}/g/${code}/orders.csv?k=`)).toBe(true);
    const url = new URL(link);
    const csv = await fetch(`http://127.0.0.1:${h.service.port}${url.pathname}${url.search}`);
    expect(csv.status).toBe(200);
    const rows = (await csv.text()).split("\r\n").filter(Boolean);
    // A header and the two members' orders, each from Slack.
    expect(rows).toHaveLength(3);
    expect(rows.slice(1).every((row) => row.split(",")[2] === "Slack")).toBe(true);
  });

  it("shows everyone else the status in the channel", async () => {
    const result = await h.command("U9", `/group ${code}`);
    expect(result.reply.response_type).toBe("in_channel");
    expect(result.reply.text).not.toContain("Organiser details");
    expect(result.reply.text).not.toContain("orders.csv");
  });

  it("keeps /cart replies ephemeral with the session code and link", async () => {
    const result = await h.command("U1", "/cart add KB-75 qty=2");
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).toMatch(/session \d{20,}-[A-Za-z0-9_-]{22,}/);
    expect(result.reply.text).toContain(`${h.service.publicUrl}/s/`);
    const checkout = await h.command("U1", "/cart checkout");
    expect(checkout.reply.text).toContain("Checked out");
  });

  it("stores /register details, reading Slack's mailto-wrapped email", async () => {
    const result = await h.command(
      "U1",
      "/register region=eu email=<mailto:ana@example.com|ana@example.com>",
    );
    expect(result.reply.text).toBe("Saved: region EU, email ana@example.com.");
  });

  it("answers /points privately", async () => {
    const result = await h.command("U2", "/points");
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).toMatch(/points/);
  });

  it("explains a command with /help, by the name Slack users type", async () => {
    const result = await h.command("U1", "/help joingroup");
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).toContain("Usage: /joingroup &lt;groupCode&gt; [&lt;sku&gt;] [qty=&lt;n&gt;]");
    const overview = await h.command("U1", "/crowdcart");
    expect(overview.reply.text).toContain("/joingroup &lt;groupCode&gt;");
    expect(overview.reply.text).not.toMatch(/\/join /);
  });

  it("runs any command through /crowdcart, and still answers a request sent as /join", async () => {
    const viaNamespace = await h.command("U4", `/crowdcart group ${code}`);
    expect(viaNamespace.reply.text).toContain("2 of 2 members");
    const plain = await h.command("U4", `/join ${code}`);
    expect(plain.reply.text).not.toContain("Unknown command");
    expect(plain.reply.text).toContain(code);
  });

  it("answers a mistake with one ephemeral line and the usage", async () => {
    const result = await h.command("U1", "/groupbuy size=3");
    expect(result.reply.response_type).toBe("ephemeral");
    expect(result.reply.text).not.toContain("\n");
    expect(result.reply.text).toContain("Missing &lt;sku&gt;");
  });
});
