import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type SlackHarness, startSlackHarness } from "./slack-harness";

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.stop();
});

const codeOf = (text: string) => /Group code: ([0-9A-Z]+)/.exec(text)?.[1] ?? "";
const users = () => h.service.db.connection.collection("users");

describe("one identity per Slack person on Enterprise Grid", () => {
  it("keeps a member who typed a command in one workspace and clicks in another as one member", async () => {
    // Workspaces T1 and T2 of the grid E1; the invitee's home workspace is T2.
    const grid = { enterpriseId: "E1" };
    const opened = await h.command("UORG", "/groupbuy KB-75 size=3 <@UGRID1>", { ...grid, teamId: "T1" });
    const code = codeOf(opened.reply.text);
    await h.fake.waitFor("the invitation DM", () => h.fake.dmsTo("UGRID1").length > 0);

    const typed = await h.command("UGRID1", `/joingroup ${code}`, { ...grid, teamId: "T1" });
    expect(typed.reply.text).toContain(`joined group ${code}`);
    // The button in the DM: the click carries the user's home workspace T2, not T1.
    const clicked = await h.click("UGRID1", `/join ${code}`, "DUGRID1", {
      ...grid,
      teamId: "T2",
      homeTeamId: "T2",
    });
    expect(clicked.reply.text).toContain("already joined");

    const status = await h.command("UORG", `/group ${code}`, { ...grid, teamId: "T2" });
    expect(status.reply.text).toContain("1 of 3 members");
    expect(await users().countDocuments({ _id: { $regex: /UGRID1$/ } as never })).toBe(1);
    expect(await users().findOne({ _id: "slack:E1:UGRID1" as never })).toMatchObject({ placeholder: false });
    // The organiser is one person too, from T1 and from T2.
    expect(status.reply.text).toContain("Organiser details");
  });

  it("keeps a guest from another organisation in a Slack Connect channel as one member", async () => {
    // The channel is shared from T1, where the app is installed; UCONNECT's home workspace is TEXT.
    // Slack names T1 as the team of both their command and their click, and TEXT only as the
    // click's user.team_id.
    const opened = await h.command("UHOST", "/groupbuy KB-75 size=3 <@UCONNECT>", { teamId: "T1" });
    const code = codeOf(opened.reply.text);
    const typed = await h.command("UCONNECT", `/joingroup ${code}`, { teamId: "T1" });
    expect(typed.reply.text).toContain(`joined group ${code}`);
    const clicked = await h.click("UCONNECT", `/join ${code}`, "CSHARED", {
      teamId: "T1",
      homeTeamId: "TEXT",
    });
    expect(clicked.reply.text).toContain("already joined");
    expect(await users().countDocuments({ _id: { $regex: /UCONNECT$/ } as never })).toBe(1);
  });

  it("keeps the keys of an ordinary workspace as they were: team:user", async () => {
    await h.command("UPLAIN", "/points", { teamId: "T9" });
    expect(await users().findOne({ _id: "slack:T9:UPLAIN" as never })).not.toBeNull();
  });
});

describe("names, not ids", () => {
  it("names a mentioned person by their Slack display name from users.info, asked once", async () => {
    h.fake.setUser("UDANA", { display_name: "Dana W", real_name: "Dana Weiss" });
    h.fake.setUser("UREAL", { real_name: "Rui Real" });
    const opened = await h.command("U1", "/groupbuy KB-75 <@UDANA> <@UREAL> <@UNOBODY>");
    expect(opened.reply.text).toContain("Invited by DM: Dana W, Rui Real, UNOBODY.");
    const again = await h.command("U1", "/groupbuy KB-75 <@UDANA>");
    expect(again.reply.text).toContain("Invited by DM: Dana W.");
    const lookups = h.fake.callsTo("users.info").filter((c) => c.args.user === "UDANA");
    expect(lookups).toHaveLength(1);
  });

  it("shows a hostile display name as text, never as a ping or a link", async () => {
    h.fake.setUser("UEVIL", { display_name: "<!channel> <https://evil.test|free keyboards> <@U1>" });
    const opened = await h.command("UEVIL2", "/groupbuy KB-75 <@UEVIL>", { userName: "<!here>" });
    expect(opened.reply.text).toContain(
      "Invited by DM: &lt;!channel&gt; &lt;https://evil.test|free keyboards&gt; &lt;@U1&gt;.",
    );
    expect(opened.reply.text).toContain("&lt;!here&gt; opened a group buy");
    expect(opened.reply.text).not.toMatch(/[<>]/);
  });
});
