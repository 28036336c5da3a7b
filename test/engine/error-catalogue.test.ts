import { describe, expect, it } from "@jest/globals";
import { COMMANDS } from "../../commands";
import { helpCommand } from "../../commands/help";
import type { GroupDoc, ProductDoc } from "../../models";
import type { CommandContext } from "../../src/chat/command";
import { parseText } from "../../src/chat/parse";
import { ParsedArgs } from "../../src/chat/parsed-args";
import { findCommand } from "../../src/chat/router";
import { tokenize } from "../../src/chat/tokenize";
import { usageLine } from "../../src/chat/usage";
import { checkSessionCode, checkSku } from "../../src/engine/cart/limits";
import { addLine, removeLine } from "../../src/engine/cart/lines";
import { UserError, userErrorText } from "../../src/engine/errors";
import { joinRefusal } from "../../src/engine/groups/errors";
import { checkQty } from "../../src/engine/orders";

/** The code and the line of the UserError `run` throws. */
function refusal(run: () => unknown): { code: string; text: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return { code: error.code, text: error.message };
    throw error;
  }
  throw new Error("accepted");
}

function parse(name: string, text: string) {
  const command = findCommand(COMMANDS, name);
  if (!command) throw new Error(`no /${name}`);
  // No mentions in these lines: every word is read as an argument.
  return parseText(command, text, () => undefined);
}

const CART_USAGE = "/cart add <sku> [qty=<n>]";

describe("the error catalogue writes every line users read, word for word as before", () => {
  it("typing mistakes name what was wrong and end with the usage", () => {
    expect(refusal(() => parse("cart", 'add "KB-75'))).toEqual({
      code: "UNCLOSED_QUOTE",
      // Quotes are read before the action is known: the usage is the whole command's.
      text: `A quote is not closed: add the closing " or remove the opening one. Usage: ${usageLine(findCommand(COMMANDS, "cart")!)}`,
    });
    expect(refusal(() => tokenize("\u201cKB"))).toEqual({
      code: "UNCLOSED_QUOTE",
      text: "A quote is not closed: add the closing \u201d or remove the opening one.",
    });
    expect(refusal(() => parse("cart", "add KB-75 qty=two")).text).toBe(
      `qty must be a whole number from 1 to 99, not "two". Usage: ${CART_USAGE}`,
    );
    expect(refusal(() => parse("cart", "add KB-75 colour=red")).text).toBe(
      `Unknown option colour= (known options: sku=, qty=). Usage: ${CART_USAGE}`,
    );
    expect(refusal(() => parse("catalog", "x=1")).text).toMatch(
      /^Unknown option x= \(this command takes no options\)\. Usage: \/catalog/,
    );
    expect(refusal(() => parse("cart", "add KB-75 qty=1 qty=2")).text).toBe(
      `qty= is given twice; keep one. Usage: ${CART_USAGE}`,
    );
    expect(refusal(() => parse("cart", "add KB-75 KC-PBT")).text).toBe(
      `Did not expect "KC-PBT" here. Usage: ${CART_USAGE}`,
    );
    expect(refusal(() => parse("cart", "add")).text).toBe(`Missing <sku>. Usage: ${CART_USAGE}`);
    expect(refusal(() => parse("cart", "buy KB-75"))).toEqual({
      code: "UNKNOWN_SUBCOMMAND",
      text: expect.stringMatching(
        /^Unknown \/cart action "buy": use one of show, add, remove, checkout, resume\. Usage: \/cart/,
      ),
    });
  });

  it("/help names the commands there are", async () => {
    const ctx = { commands: COMMANDS } as unknown as CommandContext;
    const names = COMMANDS.map((c) => c.name).join(", ");
    await expect(helpCommand.run!(ctx, new ParsedArgs(new Map([["command", "nope"]])))).rejects.toMatchObject(
      {
        code: "UNKNOWN_HELP_TOPIC",
        message: `There is no /nope: try /help with one of ${names}.`,
      },
    );
  });

  it("products, quantities and session codes", () => {
    expect(refusal(() => checkSku("K B")).text).toBe('"K B" is not a product SKU; see /catalog for the SKUs');
    expect(refusal(() => checkSku(" ")).text).toBe("name a product; type /cart add <sku> (see /catalog)");
    expect(refusal(() => checkSku("K".repeat(65)))).toEqual({
      code: "TEXT_TOO_LONG",
      text: "a SKU is at most 64 characters; see /catalog",
    });
    expect(refusal(() => checkQty("0", 1))).toEqual({
      code: "INVALID_QTY",
      text: "qty must be a whole number from 1 to 99; type e.g. qty=2",
    });
    expect(checkQty(undefined, 1)).toBe(1);
    expect(refusal(() => checkQty(undefined)).code).toBe("INVALID_QTY");
    expect(refusal(() => checkSessionCode("")).text).toBe(
      "give the cart's session code; type /cart resume <sessionCode>",
    );
    expect(refusal(() => checkSessionCode("x".repeat(500))).text).toMatch(
      /^a session code is at most \d+ characters; copy it from the cart reply or its \/s\/ link$/,
    );
    expect(refusal(() => checkSessionCode("nope")).text).toBe(
      "that is not a session code (digits, a dash, then letters, e.g. 20260101120000000001-Ab3…); copy it from the cart reply",
    );
  });

  it("cart lines", () => {
    const product = { _id: "KB-75", sku: "KB-75", name: "kit", price: 100, currency: "EUR" } as ProductDoc;
    const line = addLine([], product, 90);
    expect(refusal(() => addLine(line, product, 10)).text).toBe(
      "that would make 100 × KB-75; one line holds at most 99, so add at most 9",
    );
    expect(refusal(() => removeLine(line, "KC-PBT", "kc-pbt", 1)).text).toBe(
      "kc-pbt is not in your cart; type /cart to see what is",
    );
  });

  it("groups that refuse a join", () => {
    const at = new Date("2026-01-03T12:00:30Z");
    const group = {
      _id: "7KQ3M9XW2HBPD",
      state: "open",
      members: [{ userKey: "playground:ann" }],
      memberCount: 1,
      max: 3,
      expiresAt: at,
    } as unknown as GroupDoc;
    const before = new Date("2026-01-02T00:00:00Z");
    expect(joinRefusal(group, "playground:ann", before)?.message).toBe(
      "You already joined group 7KQ3M9XW2HBPD; type /group 7KQ3M9XW2HBPD to see its status",
    );
    expect(joinRefusal(group, "playground:bob", at)?.message).toBe(
      "Group 7KQ3M9XW2HBPD expired at 2026-01-03 12:00 UTC; ask the organiser to open a new one",
    );
    expect(joinRefusal({ ...group, state: "failed" }, "playground:bob", before)?.message).toBe(
      "Group 7KQ3M9XW2HBPD closed at 2026-01-03 12:00 UTC without enough members; ask the organiser to open a new one",
    );
    expect(joinRefusal({ ...group, memberCount: 3 }, "playground:bob", before)?.message).toBe(
      "Group 7KQ3M9XW2HBPD is complete (3 of 3 places taken); ask the organiser to open a new one",
    );
    expect(joinRefusal(group, "playground:bob", before)).toBeUndefined();
  });

  it("waits and limits are written as a person reads them", () => {
    expect(userErrorText("TOO_MANY_UNKNOWN_CODES", { waitMs: 90 * 60_000 })).toBe(
      "Too many codes that matched nothing; try again in 1h 30m.",
    );
    expect(userErrorText("CART_EXPIRED", { idleMs: 30 * 60_000 })).toBe(
      "That cart expired after 30m without activity; type /cart to start a new cart.",
    );
  });
});
