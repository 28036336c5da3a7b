import { describe, expect, it } from "@jest/globals";
import { MENTION_SYNTAX } from "../../adapters";
import { COMMANDS } from "../../commands";
import type { CommandDefinition } from "../../src/chat/command";
import { type ParsedCommand, parseOptions, parseText } from "../../src/chat/parse";
import { findCommand } from "../../src/chat/router";
import { UserError } from "../../src/engine/errors";
import type { Platform } from "../../src/kernel";

function command(name: string): CommandDefinition {
  const found = findCommand(COMMANDS, name);
  if (!found) throw new Error(`no /${name}`);
  return found;
}

const caller = { platform: "slack" as Platform, id: "T1:U1" };
function parse(name: string, text: string, platform: Platform = "playground"): ParsedCommand {
  return parseText(command(name), text, (w) => MENTION_SYNTAX[platform]?.(w, { ...caller, platform }));
}
function refuse(name: string, text: string, platform: Platform = "playground"): UserError {
  try {
    parse(name, text, platform);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`/${name} ${text} was accepted`);
}
const values = (p: ParsedCommand) => Object.fromEntries(p.values);

describe("/groupbuy grammar", () => {
  it("reads the sku, options and every mention", () => {
    const p = parse("groupbuy", "KB-75 size=3 max=5 expires=24h @bob @Carol");
    expect(values(p)).toEqual({ product: "KB-75", size: 3, max: 5, expires: 86_400_000 });
    expect(p.mentions.get("members")?.map((m) => m.id)).toEqual(["bob", "carol"]);
  });

  it("reads Slack mentions as team-scoped ids, with or without a name", () => {
    const p = parse("groupbuy", "KB-75 <@U2> <@U3|carol>", "slack");
    expect(p.mentions.get("members")?.map((m) => m.id)).toEqual(["T1:U2", "T1:U3"]);
  });

  it("reads Telegram @usernames and text_mention links", () => {
    const p = parse("groupbuy", "KB-75 @some_friend tg://user?id=4242", "telegram");
    expect(p.mentions.get("members")?.map((m) => m.username ?? m.id)).toEqual(["some_friend", "4242"]);
  });

  it("reads Discord mentions, with or without the nickname mark", () => {
    const p = parse("groupbuy", "KB-75 <@123456> <@!234567>", "discord");
    expect(p.mentions.get("members")?.map((m) => m.id)).toEqual(["123456", "234567"]);
  });

  it("names a missing sku with the usage line", () => {
    const error = refuse("groupbuy", "@bob");
    expect(error.code).toBe("MISSING_ARGUMENT");
    expect(error.message).toContain("Missing <sku>");
    expect(error.message).toContain(
      "Usage: /groupbuy <sku> [size=<n>] [max=<m>] [expires=<dur>] [<mention> ...]",
    );
  });

  it("refuses a size that is not a whole number, naming the argument", () => {
    const error = refuse("groupbuy", "KB-75 size=two");
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toMatch(/^size must be a whole number from 2 to \d+/);
  });

  it("refuses an expiry that is not a duration", () => {
    expect(refuse("groupbuy", "KB-75 expires=tomorrow").message).toMatch(/^expires must be a duration/);
  });

  it("refuses an unknown option and lists the known ones", () => {
    const error = refuse("groupbuy", "KB-75 colour=red");
    expect(error.code).toBe("UNKNOWN_OPTION");
    expect(error.message).toContain("size=, max=, expires=");
  });

  it("refuses a second positional word", () => {
    expect(refuse("groupbuy", "KB-75 KB-65").code).toBe("UNEXPECTED_ARGUMENT");
  });

  it("refuses the same option twice", () => {
    expect(refuse("groupbuy", "KB-75 size=2 size=3").code).toBe("DUPLICATE_OPTION");
  });
});

describe("/join grammar", () => {
  it("reads the code, another product and qty", () => {
    expect(values(parse("join", "7KQ3MX9P2HABC KB-65 qty=2"))).toEqual({
      code: "7KQ3MX9P2HABC",
      product: "KB-65",
      qty: 2,
    });
  });
  it("accepts options by name for positional arguments too", () => {
    expect(values(parse("join", "code=7KQ3MX9P2HABC"))).toEqual({ code: "7KQ3MX9P2HABC" });
  });
  it("refuses qty=0", () => {
    expect(refuse("join", "7KQ3MX9P2HABC qty=0").message).toMatch(/^qty must be a whole number from 1/);
  });
  it("needs a group code", () => {
    expect(refuse("join", "").message).toContain(
      "Missing <groupCode>. Usage: /join <groupCode> [<sku>] [qty=<n>]",
    );
  });
});

describe("/group grammar", () => {
  it("needs exactly one code", () => {
    expect(values(parse("group", "7KQ3MX9P2HABC"))).toEqual({ code: "7KQ3MX9P2HABC" });
    expect(refuse("group", "").code).toBe("MISSING_ARGUMENT");
    expect(refuse("group", "A1B2C3D4 extra").code).toBe("UNEXPECTED_ARGUMENT");
  });

  it("reads an organiser action, a duration after extend and a reason in words after cancel", () => {
    expect(values(parse("group", "A1B2C3D4 close"))).toEqual({ code: "A1B2C3D4", action: "close" });
    expect(values(parse("group", "A1B2C3D4 REMIND"))).toEqual({ code: "A1B2C3D4", action: "remind" });
    expect(values(parse("group", "A1B2C3D4 extend 24h"))).toEqual({
      code: "A1B2C3D4",
      action: "extend",
      duration: 86_400_000,
    });
    expect(values(parse("group", "A1B2C3D4 cancel the supplier sold out"))).toEqual({
      code: "A1B2C3D4",
      action: "cancel",
      reason: "the supplier sold out",
    });
    expect(values(parse("group", 'A1B2C3D4 cancel "sold out"'))).toMatchObject({ reason: "sold out" });
  });

  it("refuses an unknown action and words that go with another action, naming the usage", () => {
    const usage = "Usage: /group <groupCode> [close | extend <dur> | cancel [<reason>] | remind]";
    const unknown = refuse("group", "A1B2C3D4 lock");
    expect(unknown.code).toBe("UNEXPECTED_ARGUMENT");
    expect(unknown.message).toContain(usage);
    expect(refuse("group", "A1B2C3D4 close 24h").code).toBe("UNEXPECTED_ARGUMENT");
    expect(refuse("group", "A1B2C3D4 extend soon").code).toBe("INVALID_ARGUMENT");
    expect(refuse("group", "A1B2C3D4 extend").message).toBe(`Missing <dur>. ${usage}`);
    expect(refuse("group", "A1B2C3D4 extend 60d").message).toContain("from 1m to 30d");
  });

  it("reads Discord's options the same way", () => {
    const p = parseOptions(
      command("group"),
      { code: "A1B2C3D4", action: "extend", duration: "2d" },
      undefined,
      () => undefined,
    );
    expect(values(p)).toEqual({ code: "A1B2C3D4", action: "extend", duration: 172_800_000 });
    expect(() =>
      parseOptions(command("group"), { code: "A1B2C3D4", action: "lock" }, undefined, () => undefined),
    ).toThrow(/action must be one of close, extend, cancel, remind/);
  });
});

describe("/leave grammar", () => {
  it("needs exactly one code", () => {
    expect(values(parse("leave", "7KQ3MX9P2HABC"))).toEqual({ code: "7KQ3MX9P2HABC" });
    expect(refuse("leave", "").message).toContain("Missing <groupCode>. Usage: /leave <groupCode>");
  });
});

describe("/cart grammar", () => {
  it("shows the cart when no action is typed", () => {
    expect(parse("cart", "").subcommand?.name).toBe("show");
  });
  it("reads add <sku> qty=<n>", () => {
    const p = parse("cart", "add KB-75 qty=2");
    expect(p.subcommand?.name).toBe("add");
    expect(values(p)).toEqual({ sku: "KB-75", qty: 2 });
  });
  it("reads remove, checkout and resume", () => {
    expect(parse("cart", "remove KB-75").subcommand?.name).toBe("remove");
    expect(parse("cart", "checkout").subcommand?.name).toBe("checkout");
    const code = `20260101120000000001-${"a".repeat(22)}`;
    expect(values(parse("cart", `resume ${code}`))).toEqual({ code });
  });
  it("refuses an unknown action with every action in the usage", () => {
    const error = refuse("cart", "buy KB-75");
    expect(error.code).toBe("UNKNOWN_SUBCOMMAND");
    expect(error.message).toContain("show, add, remove, checkout, resume");
  });
  it("gives the subcommand's own usage when its argument is missing", () => {
    expect(refuse("cart", "add").message).toContain("Usage: /cart add <sku> [qty=<n>]");
  });
});

describe("/catalog, /points, /register and /help grammar", () => {
  it("takes no arguments for /catalog and /points", () => {
    expect(refuse("catalog", "everything").code).toBe("UNEXPECTED_ARGUMENT");
    expect(refuse("points", "x=1").code).toBe("UNKNOWN_OPTION");
  });
  it("reads region and email for /register, normalising them", () => {
    expect(values(parse("register", "region=eu email=Ana@Example.com"))).toEqual({
      region: "EU",
      email: "ana@example.com",
    });
  });
  it("refuses a malformed email", () => {
    expect(refuse("register", "email=not-an-email").message).toMatch(/^email must be an email address/);
  });
  it("reads an optional command name for /help, with or without a slash", () => {
    expect(values(parse("help", "/join"))).toEqual({ command: "join" });
    expect(values(parse("help", ""))).toEqual({});
  });
});

describe("Discord options", () => {
  const slashy = (w: string) => MENTION_SYNTAX.discord?.(w, { platform: "discord", id: "1" });
  it("checks pre-parsed options with the same rules", () => {
    const p = parseOptions(
      command("groupbuy"),
      { product: "KB-75", size: 3, members: "<@123456> <@!234567>" },
      undefined,
      slashy,
    );
    expect(values(p)).toEqual({ product: "KB-75", size: 3 });
    expect(p.mentions.get("members")?.map((m) => m.id)).toEqual(["123456", "234567"]);
  });
  it("refuses text in members that is not a mention", () => {
    expect(() =>
      parseOptions(command("groupbuy"), { product: "KB-75", members: "bob" }, undefined, slashy),
    ).toThrow(/not a mention/);
  });
  it("routes a subcommand's options", () => {
    const p = parseOptions(command("cart"), { sku: "KB-75", qty: 2 }, "add", slashy);
    expect(p.subcommand?.name).toBe("add");
  });
});

describe("error lines", () => {
  it("are always one line", () => {
    for (const [name, text] of [
      ["groupbuy", ""],
      ["join", "x"],
      ["cart", "nope"],
      ["register", "email=\nx"],
      ["groupbuy", 'KB-75 "unclosed'],
    ] as const) {
      const error = refuse(name, text);
      expect(error.message).not.toContain("\n");
    }
  });
});
