import { describe, expect, it } from "@jest/globals";
import { PLATFORMS } from "../../adapters";
import { discordCommands } from "../../adapters/discord/commands";
import { telegramCommands } from "../../adapters/telegram/commands";
import { COMMANDS } from "../../commands";
import { helpFor, helpOverview } from "../../src/chat/help";
import { usageLine } from "../../src/chat/usage";
import { loadConfig } from "../../src/config";

const names = ["groupbuy", "join", "leave", "group", "cart", "catalog", "points", "register", "help"];

describe("generated from the definitions", () => {
  it("declares exactly the contract's nine commands", () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(names);
  });

  it("is published by every platform in its own form, every command in it", () => {
    const { platforms } = loadConfig({}, "/nonexistent/.env");
    for (const platform of PLATFORMS) {
      const published = JSON.stringify(
        platform.publishedCommands(COMMANDS, {
          settings: platforms[platform.id]!,
          publicUrl: "https://shop.example",
        }),
      );
      for (const name of names) expect(`${platform.id}: ${published}`).toContain(name);
    }
  });

  it("writes the contract's usage lines", () => {
    const usage = Object.fromEntries(COMMANDS.map((c) => [c.name, usageLine(c)]));
    expect(usage).toEqual({
      groupbuy: "/groupbuy <sku> [size=<n>] [max=<m>] [expires=<dur>] [<mention> ...]",
      join: "/join <groupCode> [<sku>] [qty=<n>]",
      leave: "/leave <groupCode>",
      group: "/group <groupCode> [close | extend <dur> | cancel [<reason>] | remind]",
      cart: "/cart [show] | add <sku> [qty=<n>] | remove <sku> [qty=<n>] | checkout | resume <sessionCode>",
      catalog: "/catalog",
      points: "/points",
      register: "/register [region=<code>] [email=<addr>]",
      help: "/help [<command>]",
    });
  });

  it("lists every command's usage and description in /help", () => {
    const help = helpOverview(COMMANDS);
    for (const c of COMMANDS) expect(help).toContain(`${usageLine(c)} — ${c.description}`);
  });

  it("explains each argument and example in /help <command>", () => {
    const groupbuy = COMMANDS.find((c) => c.name === "groupbuy")!;
    const text = helpFor(groupbuy);
    for (const arg of groupbuy.args ?? []) expect(text).toContain(arg.description);
    for (const example of groupbuy.examples ?? []) expect(text).toContain(example);
  });

  it("declares the Discord options of the command grammar with their types", () => {
    const schema = Object.fromEntries(discordCommands(COMMANDS).map((c) => [c.name, c]));
    const opts = (name: string) =>
      schema[name]!.options.map((o) => `${o.name}:${o.type}${o.required ? "" : "?"}`);
    expect(opts("groupbuy")).toEqual(["product:3", "size:4?", "max:4?", "expires:3?", "members:3?"]);
    expect(opts("join")).toEqual(["code:3", "product:3?", "qty:4?"]);
    expect(opts("leave")).toEqual(["code:3"]);
    expect(opts("group")).toEqual(["code:3", "action:3?", "duration:3?", "reason:3?"]);
    const action = schema.group!.options.find((o) => o.name === "action")!;
    expect(action.choices?.map((c) => c.value)).toEqual(["close", "extend", "cancel", "remind"]);
    expect(opts("catalog")).toEqual([]);
    expect(opts("points")).toEqual([]);
    expect(opts("register")).toEqual(["region:3?", "email:3?"]);
    expect(opts("help")).toEqual(["command:3?"]);
    const cart = schema.cart!.options;
    expect(cart.map((s) => `${s.name}:${s.type}`)).toEqual([
      "show:1",
      "add:1",
      "remove:1",
      "checkout:1",
      "resume:1",
    ]);
    expect(cart.find((s) => s.name === "add")!.options!.map((o) => o.name)).toEqual(["sku", "qty"]);
    expect(cart.find((s) => s.name === "resume")!.options!.map((o) => o.name)).toEqual(["code"]);
    for (const c of Object.values(schema)) expect(c.description.length).toBeLessThanOrEqual(100);
  });

  it("lists the commands for Telegram's setMyCommands", () => {
    const list = telegramCommands(COMMANDS);
    expect(list.map((c) => c.command)).toEqual(names);
    for (const c of list) expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
  });
});
