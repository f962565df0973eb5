/* The simulator page: plays one LINE user at a time. Talks only to the simulator's routes; they
   send signed webhooks to /callback and read what the bot sent from the fake LINE platform. */
(function () {
  "use strict";

  const API = window.SIM_BASE + "/api";
  const R = window.LineRender;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 700;
  // Right after the user sends, ask often until the bot's answer is in (it answers in a moment, as
  // LINE shows it), for at most EAGER_MS.
  const EAGER_POLL_MS = 100;
  const EAGER_MS = 3000;
  const TIME_FORMAT = new Intl.DateTimeFormat("th-TH", { timeZone: "Asia/Bangkok", hour: "2-digit", minute: "2-digit" });
  const DAY_FORMAT = new Intl.DateTimeFormat("th-TH", { timeZone: "Asia/Bangkok", weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const CLOCK_FORMAT = new Intl.DateTimeFormat("th-TH", { timeZone: "Asia/Bangkok", dateStyle: "medium", timeStyle: "short" });

  const state = { user: null, users: [], count: 0, entries: [], menuId: null, menuOpen: true,
                  polling: null, inFlight: false, again: false, stick: true, busy: 0, pendingPicker: null,
                  eagerUntil: 0 };

  async function call(method, path, body) {
    const options = { method: method, headers: {} };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    state.busy += 1;
    try {
      const response = await fetch(API + path, options);
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
      return data;
    } finally {
      state.busy -= 1;
      document.body.dataset.busy = String(state.busy);
    }
  }

  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
  }

  function userPath(suffix) { return "/users/" + encodeURIComponent(state.user) + suffix; }

  async function send(suffix, body) {
    if (!state.user) { toast("Create a simulated user first"); return; }
    state.stick = true;  // what you send, and the answer, come into view
    try {
      await call("POST", userPath(suffix), body);
      state.eagerUntil = Date.now() + EAGER_MS;
    } catch (error) {
      toast(error.message);
    }
    poll();
  }

  /* -- users ------------------------------------------------------------------------------------ */

  async function loadUsers(selected) {
    const data = await call("GET", "/users");
    state.users = data.users;
    const select = $("user");
    select.textContent = "";
    for (const user of state.users) {
      const option = R.el("option", null, user.display_name + " (" + user.language + ")");
      option.value = user.user_id;
      select.appendChild(option);
    }
    const wanted = selected || new URLSearchParams(location.hash.slice(1)).get("user") ||
      localStorage.getItem("sim-user");
    const found = state.users.find((u) => u.user_id === wanted) || state.users[state.users.length - 1];
    switchUser(found ? found.user_id : null);
  }

  function resetChat() {
    state.stick = true;
    state.count = 0;
    state.entries = [];
    state.menuId = null;
    $("chat").textContent = "";
  }

  function switchUser(userId) {
    state.user = userId;
    resetChat();
    $("user").value = userId || "";
    if (userId) {
      localStorage.setItem("sim-user", userId);
      history.replaceState(null, "", "#user=" + userId);
    }
    renderQuickReplies();
    renderRichMenu(null);
    poll();
  }

  /* -- actions (quick replies, buttons, rich menu areas) ------------------------------------------ */

  function pick(title, type, action) {
    const input = $("picker-input");
    input.type = type;
    input.value = action.initial || "";
    input.min = action.min || "";
    input.max = action.max || "";
    $("picker-title").textContent = title;
    state.pendingPicker = action;
    $("picker-dialog").showModal();
  }

  function doAction(action) {
    switch (action.type) {
      case "postback":
        if (action.inputOption === "openKeyboard") $("text").focus();
        if (action.fillInText) $("text").value = action.fillInText;
        send("/postback", { data: action.data || "", display_text: action.displayText || action.text || null });
        break;
      case "message":
        send("/text", { text: action.text });
        break;
      case "datetimepicker": {
        const mode = action.mode || "datetime";
        pick(action.label || "Pick", mode === "datetime" ? "datetime-local" : mode, action);
        break;
      }
      case "uri":
        toast("Opens " + action.uri);
        if (/^https?:/.test(action.uri)) window.open(action.uri, "_blank", "noopener");
        break;
      case "camera":
      case "cameraRoll":
        $("photo").click();
        break;
      case "location":
        $("location-dialog").showModal();
        break;
      case "richmenuswitch":
        send("/richmenu-switch", { alias: action.richMenuAliasId, data: action.data || "" });
        break;
      case "clipboard":
        if (navigator.clipboard) navigator.clipboard.writeText(action.clipboardText).catch(() => {});
        toast("Copied: " + action.clipboardText);
        break;
      default:
        toast("Action " + action.type + " is not simulated");
    }
  }

  $("picker-dialog").addEventListener("close", () => {
    const action = state.pendingPicker;
    state.pendingPicker = null;
    if (!action || $("picker-dialog").returnValue !== "ok") return;
    const mode = action.mode || "datetime";
    const value = $("picker-input").value;
    if (!value) return;
    send("/postback", { data: action.data || "", params: { [mode]: value } });
  });

  /* -- the chat ---------------------------------------------------------------------------------- */

  function dayOf(iso) { return DAY_FORMAT.format(new Date(iso)); }

  function systemLine(text) { return R.el("div", "system", text); }

  function userEntry(entry) {
    switch (entry.kind) {
      case "text": return R.el("div", "bubble", entry.text);
      case "image": {
        const wrap = R.el("div", "msg-image");
        const img = R.el("img");
        img.alt = "photo";
        img.src = API + "/content/" + encodeURIComponent(entry.message_id);
        wrap.appendChild(img);
        return wrap;
      }
      case "location": {
        const card = R.el("div", "bubble location");
        card.appendChild(R.el("div", "loc-title", (entry.title || "Location")));
        if (entry.address) card.appendChild(R.el("div", "loc-address", entry.address));
        card.appendChild(R.el("div", "loc-coords", entry.latitude + ", " + entry.longitude));
        return card;
      }
      case "sticker": return R.el("div", "sticker", "(sticker)");
      case "picked": return R.el("div", "bubble", Object.values(entry.params).join(" "));
      default: return R.el("div", "bubble", "[" + entry.kind + "]");
    }
  }

  const SYSTEM_EVENTS = {
    follow: "You added ร่วมใจ as a friend",
    unblock: "You unblocked ร่วมใจ",
    block: "You blocked ร่วมใจ",
  };

  function appendEntry(entry, previous) {
    const chat = $("chat");
    if (!previous || dayOf(previous.at) !== dayOf(entry.at)) chat.appendChild(R.el("div", "day", dayOf(entry.at)));
    if (entry.kind === "system") {
      chat.appendChild(systemLine(SYSTEM_EVENTS[entry.event] || entry.event));
      return;
    }
    const row = R.el("div", "msg " + entry.from);
    if (entry.from === "bot") {
      row.dataset.type = entry.message.type;
      row.dataset.via = entry.via;
      const sameSender = previous && previous.from === "bot" && previous.at === entry.at;
      const avatar = R.el("div", "avatar bot-avatar" + (sameSender ? " invisible" : ""), "ร");
      row.appendChild(avatar);
      const column = R.el("div", "column");
      if (!sameSender) column.appendChild(R.el("div", "sender", "ร่วมใจ" + (entry.via !== "reply" ? " · " + entry.via : "")));
      column.appendChild(R.message(entry.message, doAction));
      row.appendChild(column);
    } else {
      row.appendChild(userEntry(entry));
    }
    row.appendChild(R.el("time", "at", TIME_FORMAT.format(new Date(entry.at))));
    chat.appendChild(row);
  }

  function renderQuickReplies() {
    const bar = $("quick-replies");
    bar.textContent = "";
    const last = state.entries[state.entries.length - 1];
    const quick = last && last.from === "bot" && last.message.quickReply;
    if (!quick || !quick.items || !quick.items.length) { bar.hidden = true; return; }
    for (const item of quick.items) {
      const chip = R.el("button", "chip", item.action.label);
      chip.type = "button";
      chip.dataset.action = item.action.type;
      if (item.imageUrl) {
        const icon = R.el("img", "chip-icon");
        icon.alt = "";
        icon.src = item.imageUrl;
        chip.prepend(icon);
      }
      chip.addEventListener("click", () => doAction(item.action));
      bar.appendChild(chip);
    }
    bar.hidden = false;
  }

  /* -- rich menu --------------------------------------------------------------------------------- */

  function renderRichMenu(menu) {
    const box = $("rich-menu");
    if (!menu) { box.hidden = true; state.menuId = null; return; }
    if (menu.richMenuId === state.menuId) return;
    state.menuId = menu.richMenuId;
    state.menuOpen = menu.selected || state.menuOpen;
    $("rich-menu-bar").textContent = (menu.chatBarText || "Menu") + " ▾";
    const body = $("rich-menu-body");
    body.textContent = "";
    const size = menu.size || { width: 2500, height: 1686 };
    body.style.aspectRatio = size.width + " / " + size.height;
    const img = R.el("img");
    img.alt = menu.chatBarText || "rich menu";
    img.src = API + "/richmenus/" + encodeURIComponent(menu.richMenuId) + "/image";
    body.appendChild(img);
    for (const area of menu.areas || []) {
      const b = area.bounds;
      const hit = R.el("button", "area");
      hit.type = "button";
      hit.dataset.label = area.action.label || area.action.text || area.action.data || "";
      hit.title = hit.dataset.label;
      hit.style.left = (100 * b.x / size.width) + "%";
      hit.style.top = (100 * b.y / size.height) + "%";
      hit.style.width = (100 * b.width / size.width) + "%";
      hit.style.height = (100 * b.height / size.height) + "%";
      hit.addEventListener("click", () => doAction(area.action));
      body.appendChild(hit);
    }
    body.hidden = !state.menuOpen;
    box.hidden = false;
  }

  $("rich-menu-bar").addEventListener("click", () => {
    state.menuOpen = !state.menuOpen;
    $("rich-menu-body").hidden = !state.menuOpen;
  });

  /* -- polling ----------------------------------------------------------------------------------- */

  async function poll() {
    // One poll at a time: two in flight would both append the same new entries.
    if (state.inFlight) { state.again = true; return; }
    clearTimeout(state.polling);
    state.inFlight = true;
    const user = state.user;
    try {
      if (!user) {
        const clock = await call("GET", "/clock");
        showClock(clock.now);
        setFollowed(false);
        return;
      }
      const data = await call("GET", userPath("/chat?since=" + state.count));
      if (user !== state.user) return;
      if (data.total < state.count) { resetChat(); state.again = true; return; }  // the fake was reset
      for (const entry of data.entries) {
        appendEntry(entry, state.entries[state.entries.length - 1]);
        state.entries.push(entry);
        if (entry.from === "bot") state.eagerUntil = 0;
      }
      state.count = data.total;
      if (data.entries.length) {
        renderQuickReplies();
        followBottom();
      }
      renderRichMenu(data.rich_menu);
      setFollowed(data.followed);
      showClock(data.now);
    } catch (error) {
      toast(error.message);
    } finally {
      state.inFlight = false;
      const again = state.again;
      state.again = false;
      clearTimeout(state.polling);
      const eager = state.eagerUntil > Date.now();
      state.polling = setTimeout(poll, again ? 0 : eager ? EAGER_POLL_MS : POLL_MS);
    }
  }

  // Keep the newest message in view while the reader is at the bottom, also when pictures and
  // cards grow after they load.
  function followBottom() {
    // After layout: an image's own error handler changes its size after this runs.
    requestAnimationFrame(() => { if (state.stick) $("chat").scrollTop = $("chat").scrollHeight; });
  }
  // Only the reader's own scrolling decides whether to stay at the bottom: layout changes and our
  // own scrolling fire scroll events too, late, when the chat may already have grown.
  let readerScrolledAt = 0;
  for (const kind of ["wheel", "touchmove", "keydown", "mousedown"]) {
    $("chat").addEventListener(kind, () => { readerScrolledAt = Date.now(); }, { passive: true });
  }
  $("chat").addEventListener("scroll", () => {
    if (Date.now() - readerScrolledAt > 1000) return;
    const chat = $("chat");
    state.stick = chat.scrollTop + chat.clientHeight >= chat.scrollHeight - 60;
  });
  $("chat").addEventListener("load", followBottom, true);
  $("chat").addEventListener("error", followBottom, true);
  new ResizeObserver(followBottom).observe($("chat"));  // the keyboard or a panel took room

  function showClock(iso) { $("clock").textContent = CLOCK_FORMAT.format(new Date(iso)); }

  function setFollowed(followed) {
    $("add-friend").hidden = followed || !state.user;
    $("composer").hidden = !followed;
    document.body.dataset.followed = String(followed);
  }

  /* -- controls ---------------------------------------------------------------------------------- */

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value;
    if (!text.trim()) return;
    $("text").value = "";
    send("/text", { text: text });
  });

  $("follow").addEventListener("click", () => send("/follow"));
  $("block").addEventListener("click", () => { $("panel-more").hidden = true; send("/unfollow"); });
  $("send-sticker").addEventListener("click", () => { $("panel-more").hidden = true; send("/sticker"); });
  $("user").addEventListener("change", (event) => switchUser(event.target.value));
  $("new-user").addEventListener("click", () => $("new-user-dialog").showModal());
  $("new-user-dialog").addEventListener("close", async () => {
    if ($("new-user-dialog").returnValue !== "create") return;
    try {
      const user = await call("POST", "/users", { display_name: $("new-name").value, language: $("new-language").value });
      await loadUsers(user.user_id);
    } catch (error) { toast(error.message); }
  });

  function toggle(id) { $(id).hidden = !$(id).hidden; }
  $("more").addEventListener("click", () => toggle("panel-more"));
  $("attach").addEventListener("click", () => toggle("panel-attach"));
  $("time-travel").addEventListener("click", () => toggle("panel-time"));

  $("photo").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    $("panel-attach").hidden = true;
    if (!file) return;
    const form = new FormData();
    form.append("photo", file, file.name);
    await send("/image", form);
  });
  $("open-location").addEventListener("click", () => { $("panel-attach").hidden = true; $("location-dialog").showModal(); });
  $("location-dialog").addEventListener("close", () => {
    if ($("location-dialog").returnValue !== "send") return;
    send("/location", { latitude: Number($("lat").value), longitude: Number($("lng").value),
                        title: $("loc-title").value || null, address: $("loc-address").value || null });
  });

  async function travel(seconds) {
    try {
      const data = await call("POST", "/clock/advance", { seconds: seconds });
      showClock(data.now);
      toast("Clock moved forward");
    } catch (error) { toast(error.message); }
    poll();
  }
  for (const button of document.querySelectorAll("#panel-time .jump")) {
    button.addEventListener("click", () => travel(Number(button.dataset.seconds)));
  }
  $("jump").addEventListener("click", () => {
    const hours = Number($("jump-hours").value);
    if (hours > 0) travel(hours * 3600);
  });

  call("GET", "/clock").then((clock) => {
    showClock(clock.now);
    if (!clock.can_travel) {
      $("time-hint").textContent = "This app's clock is the real one: time travel needs `ruamjai demo`.";
      for (const button of document.querySelectorAll("#panel-time button")) button.disabled = true;
    }
  }).catch((error) => toast(error.message));
  loadUsers().catch((error) => toast(error.message));
})();
