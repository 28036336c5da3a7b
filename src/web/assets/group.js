// The group page's behaviour: the copy button, the countdown and live updates. Everything works
// from the server-rendered HTML; this script only keeps it current. It never writes HTML: text goes
// in through textContent, so nothing the server sends can become markup here.
(() => {
  const main = document.querySelector("main.group");
  if (!main) return;
  const pollMs = Math.max(2000, Number(main.dataset.pollMs) || 5000);
  // The server's clock at render time: the countdown follows it, not a phone's wrong clock.
  const skew = Number(main.dataset.now) - Date.now();
  const serverNow = () => Date.now() + skew;
  let expiresAt = Date.parse(main.dataset.expires || "");
  let state = main.dataset.state;
  const memberToken = new URLSearchParams(location.search).get("m");
  const liveStatus = document.getElementById("live-status");
  // Polling state, declared before anything can schedule a poll.
  let etag = null;
  let timer;
  let failures = 0;
  let lastPoll = Date.now();

  // Copy button: shown only when the script runs (otherwise the command is there to select).
  const copyButton = document.getElementById("copy-button");
  const copyStatus = document.getElementById("copy-status");
  if (copyButton) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", async () => {
      const text = copyButton.dataset.copy || "";
      let ok = false;
      try {
        await navigator.clipboard.writeText(text);
        ok = true;
      } catch {
        ok = copyBySelection(text);
      }
      copyButton.textContent = ok ? "Copied" : "Copy";
      if (copyStatus)
        copyStatus.textContent = ok
          ? `Copied “${text}”. Paste it in your chat.`
          : "Select the command and copy it.";
      setTimeout(() => {
        copyButton.textContent = "Copy";
      }, 2500);
    });
  }

  function copyBySelection(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }

  // Countdown, once a second, with the same wording as the server.
  const countdown = document.getElementById("countdown");
  function timeLeft(ms) {
    if (ms <= 0) return "time is up";
    const s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    if (d > 0) return `${d} d ${h} h left`;
    if (h > 0) return `${h} h ${m} min left`;
    return `${m} min ${String(sec).padStart(2, "0")} s left`;
  }
  let ticker;
  function tick() {
    if (!countdown) return;
    const left = expiresAt - serverNow();
    countdown.textContent = timeLeft(left);
    if (left <= 0) {
      clearInterval(ticker);
      schedule(0);
    }
  }
  if (countdown && state === "open") {
    tick();
    ticker = setInterval(tick, 1000);
  }

  // Deadlines in the reader's own time zone, next to the UTC time the server wrote.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && zone !== "UTC" && zone !== "Etc/UTC") {
    const local = new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    for (const time of document.querySelectorAll("time.deadline")) {
      const at = Date.parse(time.getAttribute("datetime") || "");
      if (!Number.isNaN(at)) time.textContent += ` (${local.format(at)} your time)`;
    }
  }

  // Live updates: ask the JSON twin every few seconds while the page is visible. An unchanged
  // group answers 304 with no body; a closed group stops the polling.
  function schedule(ms) {
    clearTimeout(timer);
    if (state !== "open" && state !== "expired") return;
    timer = setTimeout(poll, ms);
  }
  async function poll() {
    if (document.hidden) return;
    lastPoll = Date.now();
    const url = location.pathname + (memberToken ? `?m=${encodeURIComponent(memberToken)}` : "");
    try {
      const headers = { Accept: "application/json" };
      if (etag) headers["If-None-Match"] = etag;
      const res = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
      if (res.status === 200) {
        etag = res.headers.get("ETag");
        update(await res.json());
      } else if (res.status !== 304) {
        throw new Error(`status ${res.status}`);
      }
      failures = 0;
    } catch {
      failures += 1;
    }
    // Back off after failures (a server restarting, a phone losing signal), up to a minute.
    schedule(Math.min(60000, pollMs * 2 ** failures));
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && Date.now() - lastPoll >= pollMs) schedule(0);
  });
  schedule(pollMs);

  const $ = (id) => document.getElementById(id);
  const setText = (id, text) => {
    const el = $(id);
    if (el && el.textContent !== text) el.textContent = text;
  };

  function update(group) {
    const before = Array.from(document.querySelectorAll("#members .name"), (el) => el.textContent);
    state = group.state;
    main.dataset.state = state;
    expiresAt = Date.parse(group.expiresAt);

    const badge = $("state-badge");
    if (badge) {
      badge.textContent = group.display.state;
      badge.className = `badge state-${state}`;
    }
    setText("state-note", group.display.stateNote);
    setText("deal", group.display.deal);
    setText("member-count", String(group.memberCount));
    setText("legend-joined", `${group.memberCount} joined`);
    setText("progress-note", group.display.progressNote);

    const bar = $("progress");
    if (bar) {
      bar.setAttribute("aria-valuenow", String(group.memberCount));
      bar.setAttribute("aria-valuetext", group.display.progress);
    }
    const fill = $("progress-fill");
    if (fill) {
      const width = Math.min(100, (group.memberCount / Math.max(1, group.cap)) * 100);
      fill.setAttribute("width", width.toFixed(2));
      fill.classList.toggle("reached", group.memberCount >= group.target);
    }

    const anyCurrent = group.tiers.some((t) => t.current);
    for (const row of document.querySelectorAll("#tiers .tier")) {
      const members = Number(row.dataset.members);
      const tier = group.tiers.find((t) => t.members === members);
      const current = tier ? tier.current : members === 1 && !anyCurrent;
      row.classList.toggle("current", current);
      row.classList.toggle("reached", members <= group.memberCount);
      if (current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
      const flag = row.querySelector(".tier-flag");
      if (flag) flag.textContent = current ? "current" : "";
    }

    const list = $("members");
    if (list) {
      const items = group.members.map((member) => {
        const li = document.createElement("li");
        const avatar = document.createElement("span");
        avatar.className = `avatar platform-${member.platform}`;
        avatar.setAttribute("aria-hidden", "true");
        avatar.textContent = (Array.from(member.displayName.trim())[0] || "?").toUpperCase();
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = member.displayName;
        const platform = document.createElement("span");
        platform.className = "platform";
        platform.textContent = group.display.platforms[member.platform] || member.platform;
        li.append(avatar, name, platform);
        return li;
      });
      list.replaceChildren(...items);
    }
    setText("members-count", String(group.members.length));
    const empty = $("members-empty");
    if (empty) empty.hidden = group.members.length > 0;

    if (group.you?.joined) setText("you-state", "You are in.");

    if (state !== "open") {
      const join = $("join");
      if (join) join.hidden = true;
      if (countdown) countdown.textContent = state === "expired" ? "time is up" : "closed";
      clearInterval(ticker);
    }

    const joined = group.members.map((m) => m.displayName).slice(before.length);
    if (liveStatus && (joined.length > 0 || state !== "open")) {
      const who = joined.length > 0 ? `${joined.join(", ")} joined. ` : "";
      liveStatus.textContent = `${who}${group.display.progress}. ${state === "open" ? "" : group.display.state}`;
    }
  }
})();
