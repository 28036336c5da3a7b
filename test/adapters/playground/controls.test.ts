import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Service } from "../../../src/service";
import { codeIn, playgroundSay } from "../../support/playground-client";
import { startPlaygroundService } from "../contract/playground-driver";

let service: Service;
let base = "";

beforeAll(async () => {
  service = await startPlaygroundService();
  base = `http://127.0.0.1:${service.port}`;
});
afterAll(async () => {
  await service?.stop();
});

describe("playground: /leave and the organiser controls", () => {
  it("a member leaves; a second /leave and an unknown code are refused in one line", async () => {
    const code = codeIn((await playgroundSay(base, "olga", "/groupbuy KB-75 size=2")).text, "g");
    await playgroundSay(base, "pia", `/join ${code}`);
    const left = await playgroundSay(base, "pia", `/leave ${code}`);
    expect(left.text).toContain(`pia left group ${code}: order`);
    expect(left.text).toContain("0 of 2 members now");
    const again = await playgroundSay(base, "pia", `/leave ${code}`);
    expect(again.errorCode).toBe("NOT_A_MEMBER");
    expect((await playgroundSay(base, "pia", "/leave ZZZZZZZZZZZZZ")).errorCode).toBe("UNKNOWN_GROUP");
  });

  it("has no admins: only the organiser may act", async () => {
    const code = codeIn((await playgroundSay(base, "olga", "/groupbuy KB-75 size=2")).text, "g");
    for (const action of ["close", "extend 1h", "cancel", "remind"]) {
      const refused = await playgroundSay(base, "pia", `/group ${code} ${action}`);
      expect(refused.errorCode).toBe("NOT_GROUP_ADMIN");
      expect(refused.text).toContain(`Only the organiser of group ${code}`);
    }
    expect((await playgroundSay(base, "olga", `/group ${code} extend 1h`)).text).toContain("(1h more)");
    expect((await playgroundSay(base, "olga", `/group ${code} close`)).text).toContain(
      "needs 2 more members (of 2)",
    );
    const cancelled = await playgroundSay(base, "olga", `/group ${code} cancel changed my mind`);
    expect(cancelled.text).toContain(`Group ${code} is cancelled: changed my mind.`);
    expect((await playgroundSay(base, "olga", `/group ${code} remind`)).errorCode).toBe("GROUP_NOT_OPEN");
    expect((await playgroundSay(base, "pia", `/group ${code}`)).text).toContain(
      "Status: cancelled (changed my mind); orders cancelled",
    );
  });

  it("an action without its words, or words without their action, get the usage", async () => {
    const code = codeIn((await playgroundSay(base, "olga", "/groupbuy KB-75 size=2")).text, "g");
    expect((await playgroundSay(base, "olga", `/group ${code} extend`)).text).toContain("Missing <dur>.");
    expect((await playgroundSay(base, "olga", `/group ${code} reason=x`)).text).toBe(
      "reason goes with the cancel action only. Usage: /group <groupCode> [close | extend <dur> | cancel [<reason>] | remind]",
    );
    expect((await playgroundSay(base, "olga", `/group ${code} lock`)).errorCode).toBe("UNEXPECTED_ARGUMENT");
  });
});
