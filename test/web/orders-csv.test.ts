import { describe, expect, it } from "@jest/globals";
import type { GroupExportModel } from "../../src/web/model";
import { csvField, ordersCsv } from "../../src/web/orders-csv";
import { parseCsv } from "./support/parse-csv";

type Row = GroupExportModel["orders"][number];

function order(overrides: Partial<Row>): Row {
  return {
    orderId: "o1",
    member: "ann",
    platform: "slack",
    productName: "75% keyboard kit",
    sku: "KB-75",
    qty: 1,
    unitPrice: 12900,
    currency: "EUR",
    tier: null,
    points: null,
    region: null,
    email: null,
    state: "placed",
    ...overrides,
  };
}

const label = (id: string) => `<${id}>`;

describe("one CSV field", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["two\r\nlines", '"two\r\nlines"'],
    ["", ""],
  ])("quotes %j only when RFC 4180 requires it", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+SUM(A1)", "'+SUM(A1)"],
    ["-2", "'-2"],
    ["@cmd", "'@cmd"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ['=HYPERLINK("http://evil.test","x")', '"\'=HYPERLINK(""http://evil.test"",""x"")"'],
  ])("neutralises a formula start in %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it("leaves a formula character alone when it is not the first", (): void => {
    expect(csvField("a=b+c-d@e")).toBe("a=b+c-d@e");
  });
});

describe("the orders CSV", () => {
  it("has a header and one CRLF-terminated record per order, amounts as plain decimals", () => {
    const text = ordersCsv(
      {
        code: "ABC",
        orders: [
          order({
            region: "EU",
            email: "ann@example.test",
            tier: { members: 3, percentOff: 10 },
            points: 1590,
          }),
          order({
            orderId: "o2",
            member: 'Bo, "the"\nsecond',
            platform: "telegram",
            qty: 2,
            state: "cancelled",
          }),
          order({ orderId: "o3", member: "yen", currency: "JPY", unitPrice: 500 }),
        ],
      },
      label,
    );
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([
      [
        "order",
        "member",
        "platform",
        "product",
        "sku",
        "quantity",
        "unit price",
        "currency",
        "tier reached",
        "points",
        "region",
        "email",
        "state",
      ],
      [
        "o1",
        "ann",
        "<slack>",
        "75% keyboard kit",
        "KB-75",
        "1",
        "129.00",
        "EUR",
        "10% (3+ members)",
        "1590",
        "EU",
        "ann@example.test",
        "placed",
      ],
      [
        "o2",
        'Bo, "the"\nsecond',
        "<telegram>",
        "75% keyboard kit",
        "KB-75",
        "2",
        "129.00",
        "EUR",
        "none",
        "",
        "",
        "",
        "cancelled",
      ],
      ["o3", "yen", "<slack>", "75% keyboard kit", "KB-75", "1", "500", "JPY", "none", "", "", "", "placed"],
    ]);
  });

  it("is only a header for a group without orders", () => {
    expect(parseCsv(ordersCsv({ code: "ABC", orders: [] }, label))).toHaveLength(1);
  });
});
