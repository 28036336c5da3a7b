/** Escapes text for HTML element content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The playground page, rendered on the server. No inline script or style (the page works under a
 * strict CSP): behaviour comes from /playground/app.js, looks from /playground/app.css.
 */
export function renderPlaygroundPage(opts: { publicUrl: string; commandsHelp: string[] }): string {
  const commands = opts.commandsHelp.map((line) => `<li><code>${esc(line)}</code></li>`).join("\n        ");
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>crowdcart playground</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/playground/app.css">
  <script src="/playground/app.js" defer></script>
</head>
<body>
  <header>
    <h1>crowdcart playground</h1>
    <p>Try crowdcart without a chat account: pick a name, type commands, and see the DMs that name receives.
      Open a second tab with another name to play the friend you invite.</p>
  </header>
  <main>
    <section class="chat" aria-label="Chat">
      <form id="who" autocomplete="off">
        <label for="user">You are</label>
        <input id="user" name="user" required maxlength="32" pattern="[A-Za-z0-9_.\\-]{1,32}" placeholder="alice" value="alice">
        <button type="submit">Use this name</button>
      </form>
      <ol id="transcript" aria-live="polite"></ol>
      <form id="compose" autocomplete="off">
        <label for="command" class="hidden">Command</label>
        <input id="command" name="command" required maxlength="2000" placeholder="/groupbuy KB-75 @bob">
        <button type="submit">Send</button>
      </form>
    </section>
    <section class="dms" aria-label="Direct messages">
      <h2>DMs to <span id="dm-user">alice</span></h2>
      <ol id="dms" aria-live="polite"></ol>
    </section>
  </main>
  <aside>
    <h2>Commands</h2>
    <ul>
        ${commands}
    </ul>
    <p>Mention another playground user with <code>@name</code>. Links go to ${esc(opts.publicUrl)}.</p>
  </aside>
</body>
</html>
`;
}
