import { describe, expect, it } from "@jest/globals";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { COMMANDS } from "../../../commands";

const plain = new SlackCommandNames(COMMANDS);
const prefixed = new SlackCommandNames(COMMANDS, "cc-");

describe("Slack command names", () => {
  it("publishes Slack's name for a reserved command, and keeps a leave name ready", () => {
    expect(plain.published("join")).toBe("joingroup");
    expect(plain.published("leave")).toBe("leavegroup");
    expect(plain.published("cart")).toBe("cart");
    expect(prefixed.published("join")).toBe("cc-joingroup");
    expect(prefixed.published("cart")).toBe("cc-cart");
  });

  it("refuses to publish a command under a name Slack keeps for itself", () => {
    const status = { ...COMMANDS[0]!, name: "status" };
    expect(() => new SlackCommandNames([...COMMANDS, status])).toThrow("/status");
  });

  it("accepts the published, the prefixed, the unprefixed and the plain names", () => {
    for (const typed of ["/cc-joingroup", "/joingroup", "/join", "/JOIN", "/cc-join"]) {
      expect(prefixed.resolve(typed, "ABC qty=2")).toEqual({ command: "join", text: "ABC qty=2" });
    }
    expect(prefixed.resolve("/cc-cart", "add KB-75")).toEqual({ command: "cart", text: "add KB-75" });
  });

  it("runs any command through /crowdcart, and shows the help for a bare one", () => {
    expect(plain.resolve("/crowdcart", "join ABC")).toEqual({ command: "join", text: "ABC" });
    expect(plain.resolve("/crowdcart", "joingroup ABC")).toEqual({ command: "join", text: "ABC" });
    expect(plain.resolve("/crowdcart", "  cart add KB-75 qty=2")).toEqual({
      command: "cart",
      text: "add KB-75 qty=2",
    });
    expect(prefixed.resolve("/cc-crowdcart", "/group ABC")).toEqual({ command: "group", text: "ABC" });
    expect(plain.resolve("/crowdcart", "")).toEqual({ command: "help", text: "" });
  });

  it("explains a command asked for by its Slack name", () => {
    expect(plain.resolve("/help", "joingroup")).toEqual({ command: "help", text: "join" });
    expect(plain.resolve("/crowdcart", "help joingroup")).toEqual({ command: "help", text: "join" });
  });

  it("names the Slack form wherever a text names a command, and nothing else", () => {
    expect(plain.rewrite("To join, type /join 7KQ3M (or /join@x); /group stays")).toBe(
      "To join, type /joingroup 7KQ3M (or /join@x); /group stays",
    );
    expect(plain.rewrite("https://shop.test/join/x and /joining")).toBe(
      "https://shop.test/join/x and /joining",
    );
    expect(prefixed.rewrite("Usage: /groupbuy <sku>; see /catalog, then (/join X)")).toBe(
      "Usage: /cc-groupbuy <sku>; see /cc-catalog, then (/cc-joingroup X)",
    );
    expect(prefixed.rewrite("/group X, not /groupbuy")).toBe("/cc-group X, not /cc-groupbuy");
  });
});
