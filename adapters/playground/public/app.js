// The playground's page script: served from a route (no inline script), talks only to this server.

(() => {
  const $ = (id) => document.getElementById(id);
  const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;
  let user = "";
  let seen = new Set();
  let since = "";
  let channelSince = "";
  // The bot's channel posts shown, by id: an edited post replaces its old self in place.
  let posts = new Map();
  let pollTimer;

  function eventId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  }

  // Text becomes text nodes and anchors: nothing from the server is ever parsed as HTML.
  function appendText(parent, text) {
    text.split("\n").forEach((line, index) => {
      if (index > 0) parent.appendChild(document.createElement("br"));
      for (const part of line.split(URL_PATTERN)) {
        if (!part) continue;
        if (/^https?:\/\//.test(part)) {
          const link = document.createElement("a");
          link.href = part;
          link.textContent = part;
          link.target = "_blank";
          link.rel = "noopener";
          parent.appendChild(link);
        } else parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function appendButtons(parent, buttons) {
    if (!buttons || buttons.length === 0) return;
    const row = document.createElement("div");
    row.className = "buttons";
    for (const button of buttons) {
      if (button.url) {
        const link = document.createElement("a");
        link.href = button.url;
        link.textContent = button.label;
        link.className = "button";
        link.target = "_blank";
        link.rel = "noopener";
        row.appendChild(link);
      } else if (button.command) {
        const action = document.createElement("button");
        action.type = "button";
        action.textContent = button.label;
        action.dataset.command = button.command;
        action.addEventListener("click", () => send(button.command));
        row.appendChild(action);
      }
    }
    parent.appendChild(row);
  }

  function build(kind, text, buttons) {
    const item = document.createElement("li");
    item.className = kind;
    const body = document.createElement("div");
    body.className = "text";
    appendText(body, text);
    item.appendChild(body);
    appendButtons(item, buttons);
    return item;
  }

  function append(listId, kind, text, buttons) {
    const item = build(kind, text, buttons);
    const list = $(listId);
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
    return item;
  }

  async function send(text) {
    append("transcript", "mine", `${user}: ${text}`);
    try {
      const response = await fetch("/playground/commands", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user, text, eventId: eventId() }),
      });
      const reply = await response.json();
      const kind = reply.errorCode
        ? "reply error"
        : reply.visibility === "private"
          ? "reply private"
          : "reply";
      const item = append("transcript", kind, reply.text || reply.error || "No answer.", reply.buttons);
      if (reply.errorCode) item.dataset.errorCode = reply.errorCode;
    } catch {
      append("transcript", "reply error", "The server did not answer; is crowdcart still running?");
    }
  }

  async function poll() {
    const current = user;
    try {
      const query = new URLSearchParams({ user: current });
      if (since) query.set("since", since);
      const response = await fetch(`/playground/inbox?${query}`);
      if (response.ok && current === user) {
        const { messages } = await response.json();
        for (const message of messages) {
          if (seen.has(message.id)) continue;
          seen.add(message.id);
          append("dms", "dm", message.text, message.buttons).dataset.id = message.id;
          since = message.at;
        }
      }
      await pollChannel(current);
    } catch {
      // The next poll tries again.
    }
    if (current === user) pollTimer = setTimeout(poll, 1000);
  }

  async function pollChannel(current) {
    const query = new URLSearchParams();
    if (channelSince) query.set("since", channelSince);
    const response = await fetch(`/playground/channel?${query}`);
    if (!response.ok || current !== user) return;
    const { messages } = await response.json();
    for (const message of messages) {
      channelSince = message.updatedAt;
      const shown = posts.get(message.id);
      if (shown && shown.dataset.updatedAt === message.updatedAt) continue;
      const item = build("post", message.text, message.buttons);
      item.dataset.id = message.id;
      item.dataset.updatedAt = message.updatedAt;
      if (shown) shown.replaceWith(item);
      else {
        $("transcript").appendChild(item);
        item.scrollIntoView({ block: "nearest" });
      }
      posts.set(message.id, item);
    }
  }

  function useName(name) {
    user = name.trim().replace(/^@/, "").toLowerCase();
    $("dm-user").textContent = user;
    $("dms").replaceChildren();
    $("transcript").replaceChildren();
    seen = new Set();
    since = "";
    posts = new Map();
    channelSince = "";
    clearTimeout(pollTimer);
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const params = new URLSearchParams(window.location.search);
    if (params.get("user")) $("user").value = params.get("user");
    useName($("user").value || "alice");
    $("who").addEventListener("submit", (event) => {
      event.preventDefault();
      if ($("user").checkValidity()) useName($("user").value);
    });
    $("compose").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("command").value.trim();
      if (!text) return;
      $("command").value = "";
      send(text);
    });
  });
})();
