import { describe, expect, it } from "@jest/globals";
import { escapeHtml, html, trustedHtml } from "../../src/web/html";

describe("the html template layer", () => {
  it("escapes every interpolated string, including both quote characters", () => {
    const name = `<script>alert("x")</script>' onmouseover='a'&`;
    const out = html`<p title="${name}">${name}</p>`.value;
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;a&#39;&amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;a&#39;&amp;</p>',
    );
  });

  it("passes nested html results through once, without double escaping", () => {
    const inner = html`<b>${"a<b"}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe("<p><b>a&lt;b</b></p>");
  });

  it("renders arrays item by item, each escaped", () => {
    expect(html`<ul>${["<i>", html`<li>ok</li>`]}</ul>`.value).toBe("<ul>&lt;i&gt;<li>ok</li></ul>");
  });

  it("renders nothing for null, undefined and false, and numbers as text", () => {
    expect(html`${null}${undefined}${false}${0}${12}`.value).toBe("012");
  });

  it("treats an object that only looks like safe html as text", () => {
    const forged = { value: "<img src=x onerror=alert(1)>", toString: () => "<img src=x onerror=alert(1)>" };
    expect(html`${forged}`.value).toBe("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("lets only explicitly trusted markup through unescaped", () => {
    expect(html`${trustedHtml("<svg></svg>")}`.value).toBe("<svg></svg>");
    expect(escapeHtml("`")).toBe("&#96;");
  });
});
