// Live-agent console of the handoff-chat dev server.
//
// Vanilla JavaScript against the JSON API under /agent/api (see docs/handoff.md, "Agent
// console API"). Polls about once a second. Every text that comes from a visitor, a bot or
// another agent is inserted with textContent / createElement only: never innerHTML.
"use strict";

(() => {
  const API = "/agent/api";
  const STORAGE_KEY = "handoff-chat.agent";
  const POLL_MS = 1000;
  const TYPING_EVERY_MS = 3000;
  const NOTICE_MS = 10000;

  const STATUS_LABELS = {
    waiting: "Waiting",
    engaged: "Connected",
    completed: "Completed",
    failed: "No agent in time",
    "visitor-ended": "Ended by visitor",
  };

  const $ = (selector) => document.querySelector(selector);
  const ui = {
    connection: $(".ac-header__connection"),
    agentLine: $(".ac-header__agent"),
    agentName: $(".ac-header__name"),
    signOut: $(".ac-header__signout"),
    signIn: $(".ac-signin"),
    signInForm: $(".ac-signin__form"),
    nameInput: $("#ac-name"),
    signInError: $(".ac-signin__error"),
    workspace: $(".ac-workspace"),
    queueCount: $(".ac-queue__count"),
    queueNotice: $(".ac-queue__notice"),
    queueEmpty: $(".ac-queue__empty"),
    queueList: $(".ac-queue__list"),
    mineEmpty: $(".ac-mine__empty"),
    mineList: $(".ac-mine__list"),
    placeholder: $(".ac-conversation__placeholder"),
    body: $(".ac-conversation__body"),
    title: $(".ac-conversation__title"),
    status: $(".ac-status"),
    survey: {
      firstName: $(".ac-survey__first-name"),
      lastName: $(".ac-survey__last-name"),
      email: $(".ac-survey__email"),
      caseNumber: $(".ac-survey__case-number"),
      lastTopic: $(".ac-survey__last-topic"),
      mode: $(".ac-survey__mode"),
    },
    transcriptEmpty: $(".ac-transcript__empty"),
    transcriptList: $(".ac-transcript__list"),
    log: $(".ac-chat__log"),
    typing: $(".ac-chat__typing"),
    ended: $(".ac-chat__ended"),
    composer: $(".ac-composer"),
    reply: $("#ac-reply"),
    composerError: $(".ac-composer__error"),
    send: $(".ac-composer__send"),
    end: $(".ac-composer__end"),
  };

  /** The signed-in agent: {agentId, name}, or null. */
  let agent = null;
  /** The handoff shown on the right. */
  let selectedId = null;
  /** What is already on screen for the selected handoff. */
  let shown = freshShown(null);
  /** The last detail received for the selected handoff. */
  let current = null;
  let pollTimer = null;
  let polling = false;
  /** A poll was asked for while one was running: run another right after it. */
  let pollAgain = false;
  let lastTypingSent = 0;
  let noticeTimer = null;
  const queueItems = new Map();
  const mineItems = new Map();
  /** handoffId -> message count the agent has seen (for the unread mark). */
  const seenCounts = new Map();

  function freshShown(handoffId) {
    return { handoffId, messageIds: new Set() };
  }

  // ---- API ----------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(API + path, init);
    } catch (e) {
      throw new ApiError(0, "Network", "The dev server cannot be reached.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(
        response.status,
        error.code || "Error",
        error.message || `Request failed (HTTP ${response.status}).`,
      );
    }
    return data;
  }

  const enc = encodeURIComponent;

  // ---- helpers ------------------------------------------------------------------------

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fullName(visitor) {
    return `${visitor.firstName || ""} ${visitor.lastName || ""}`.trim();
  }

  function displayName(visitor) {
    return fullName(visitor) || "Anonymous visitor";
  }

  function firstName(visitor) {
    return visitor.firstName || fullName(visitor) || "The visitor";
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  function clock(timestamp) {
    const date = new Date(timestamp);
    if (Number.isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function showNotice(text) {
    ui.queueNotice.textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      ui.queueNotice.textContent = "";
    }, NOTICE_MS);
  }

  // ---- sign-in ------------------------------------------------------------------------

  function loadAgent() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
      return saved && typeof saved.agentId === "string" ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function showSignIn(message) {
    agent = null;
    stopPolling();
    ui.workspace.hidden = true;
    ui.agentLine.hidden = true;
    ui.signOut.hidden = true;
    ui.connection.hidden = true;
    ui.signIn.hidden = false;
    ui.signInError.textContent = message || "";
    ui.nameInput.focus();
  }

  function showWorkspace() {
    ui.signIn.hidden = true;
    ui.workspace.hidden = false;
    ui.agentLine.hidden = false;
    ui.signOut.hidden = false;
    ui.agentName.textContent = agent.name;
    startPolling();
  }

  function signOut(message) {
    sessionStorage.removeItem(STORAGE_KEY);
    selectedId = null;
    current = null;
    shown = freshShown(null);
    queueItems.clear();
    mineItems.clear();
    seenCounts.clear();
    ui.queueList.replaceChildren();
    ui.mineList.replaceChildren();
    ui.body.hidden = true;
    ui.placeholder.hidden = false;
    showSignIn(message);
  }

  ui.signInForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = ui.nameInput.value.trim();
    if (!name) {
      ui.signInError.textContent = "Enter your name.";
      ui.nameInput.focus();
      return;
    }
    ui.signInError.textContent = "";
    try {
      const created = await api("POST", "/agents", { name });
      agent = { agentId: created.agentId, name: created.name };
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(agent));
      showWorkspace();
    } catch (e) {
      ui.signInError.textContent = e.message;
    }
  });

  ui.signOut.addEventListener("click", () => signOut(""));

  // ---- polling ------------------------------------------------------------------------

  function startPolling() {
    stopPolling();
    poll();
  }

  function stopPolling() {
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  async function poll() {
    if (!agent) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    pollAgain = false;
    clearTimeout(pollTimer);
    try {
      const [queue, mine] = await Promise.all([
        api("GET", "/queue"),
        api("GET", `/agents/${enc(agent.agentId)}/handoffs`),
      ]);
      renderQueue(queue.waiting);
      renderMine(mine.handoffs);
      if (selectedId) {
        const detail = await api(
          "GET",
          `/handoffs/${enc(selectedId)}?agentId=${enc(agent.agentId)}`,
        );
        if (detail.handoffId === selectedId) renderDetail(detail);
      }
      ui.connection.hidden = true;
    } catch (e) {
      if (e.code === "UnknownAgent") {
        polling = false;
        signOut("Your session is no longer known to the server (it restarted). Sign in again.");
        return;
      }
      ui.connection.hidden = e.status !== 0;
    } finally {
      polling = false;
    }
    if (agent) pollTimer = setTimeout(poll, pollAgain ? 0 : POLL_MS);
  }

  // ---- queue --------------------------------------------------------------------------

  function renderQueue(waiting) {
    ui.queueCount.textContent = waiting.length ? `(${waiting.length})` : "";
    ui.queueEmpty.hidden = waiting.length > 0;
    document.title = `${waiting.length ? `(${waiting.length}) ` : ""}Live-agent console · handoff-chat`;
    const keep = new Set(waiting.map((w) => w.handoffId));
    for (const [id, item] of queueItems) {
      if (!keep.has(id)) {
        item.remove();
        queueItems.delete(id);
      }
    }
    waiting.forEach((entry, index) => {
      let item = queueItems.get(entry.handoffId);
      if (!item) {
        item = createQueueItem(entry);
        queueItems.set(entry.handoffId, item);
      }
      updateQueueItem(item, entry);
      const at = ui.queueList.children[index];
      if (at !== item) ui.queueList.insertBefore(item, at || null);
    });
  }

  function createQueueItem(entry) {
    const item = make("li", "ac-queue__item");
    item.dataset.handoffId = entry.handoffId;
    item.append(
      make("span", "ac-queue__name"),
      make("span", "ac-queue__meta ac-queue__email"),
      make("span", "ac-queue__meta ac-queue__case"),
      make("span", "ac-queue__meta ac-queue__topic"),
    );
    const line = make("span", "ac-queue__meta");
    line.append(make("span", "ac-queue__wait"), " · ", make("span", "ac-queue__mode"));
    item.append(line);
    const accept = make("button", "ac-button ac-button--primary ac-queue__accept", "Accept");
    accept.type = "button";
    accept.addEventListener("click", () => acceptHandoff(entry.handoffId, accept));
    item.append(accept);
    return item;
  }

  function updateQueueItem(item, entry) {
    const v = entry.visitor;
    const set = (selector, text) => {
      const node = item.querySelector(selector);
      if (node.textContent !== text) node.textContent = text;
      node.hidden = text === "";
    };
    set(".ac-queue__name", displayName(v));
    set(".ac-queue__email", v.email || "");
    set(".ac-queue__case", v.caseNumber ? `Case ${v.caseNumber}` : "");
    set(".ac-queue__topic", entry.lastTopic ? `Last topic: ${entry.lastTopic}` : "");
    set(".ac-queue__wait", `waiting ${duration(entry.waitingSeconds)}`);
    set(".ac-queue__mode", entry.mode);
    item.querySelector(".ac-queue__accept").setAttribute("aria-label", `Accept ${displayName(v)}`);
  }

  async function acceptHandoff(handoffId, button) {
    if (!agent) return;
    button.disabled = true;
    try {
      const detail = await api("POST", `/handoffs/${enc(handoffId)}/accept`, {
        agentId: agent.agentId,
      });
      ui.queueNotice.textContent = "";
      select(detail.handoffId);
      renderDetail(detail);
      ui.reply.focus();
      poll();
    } catch (e) {
      showNotice(e.message);
      button.disabled = false;
      poll();
    }
  }

  // ---- the agent's conversations ------------------------------------------------------

  function renderMine(handoffs) {
    ui.mineEmpty.hidden = handoffs.length > 0;
    if (!selectedId && handoffs.length) {
      const engaged = handoffs.filter((h) => h.state === "engaged");
      select((engaged[engaged.length - 1] || handoffs[handoffs.length - 1]).handoffId);
    }
    const keep = new Set(handoffs.map((h) => h.handoffId));
    for (const [id, entry] of mineItems) {
      if (!keep.has(id)) {
        entry.li.remove();
        mineItems.delete(id);
      }
    }
    handoffs.forEach((summary, index) => {
      let entry = mineItems.get(summary.handoffId);
      if (!entry) {
        entry = createMineItem(summary.handoffId);
        mineItems.set(summary.handoffId, entry);
      }
      const { li, button } = entry;
      const name = displayName(summary.visitor);
      const state = summary.visitorTyping && summary.state === "engaged"
        ? `${STATUS_LABELS.engaged} · typing…`
        : STATUS_LABELS[summary.state] || summary.state;
      if (button.querySelector(".ac-mine__name").textContent !== name) {
        button.querySelector(".ac-mine__name").textContent = name;
      }
      if (button.querySelector(".ac-mine__state").textContent !== state) {
        button.querySelector(".ac-mine__state").textContent = state;
      }
      button.dataset.state = summary.state;
      const selected = summary.handoffId === selectedId;
      button.setAttribute("aria-current", selected ? "true" : "false");
      if (selected) seenCounts.set(summary.handoffId, summary.messageCount);
      const unread = !selected && summary.messageCount > (seenCounts.get(summary.handoffId) || 0);
      button.dataset.unread = unread ? "true" : "false";
      const at = ui.mineList.children[index];
      if (at !== li) ui.mineList.insertBefore(li, at || null);
    });
  }

  function createMineItem(handoffId) {
    const li = make("li");
    const button = make("button", "ac-mine__item");
    button.type = "button";
    button.dataset.handoffId = handoffId;
    button.append(make("span", "ac-mine__name"), make("span", "ac-mine__state"));
    button.addEventListener("click", () => {
      select(handoffId);
      poll();
    });
    li.append(button);
    return { li, button };
  }

  function select(handoffId) {
    if (selectedId === handoffId) return;
    selectedId = handoffId;
    current = null;
    for (const [id, entry] of mineItems) {
      entry.button.setAttribute("aria-current", id === handoffId ? "true" : "false");
    }
  }

  // ---- the selected conversation -------------------------------------------------------

  function renderDetail(detail) {
    if (shown.handoffId !== detail.handoffId) {
      shown = freshShown(detail.handoffId);
      ui.log.replaceChildren();
      ui.composerError.textContent = "";
      ui.reply.value = "";
      renderContext(detail);
      ui.placeholder.hidden = true;
      ui.body.hidden = false;
    }
    current = detail;
    const first = firstName(detail.visitor);

    ui.status.dataset.state = detail.state;
    ui.status.textContent = STATUS_LABELS[detail.state] || detail.state;

    const log = ui.log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    let ownNew = false;
    for (const message of detail.messages) {
      if (shown.messageIds.has(message.id)) continue;
      shown.messageIds.add(message.id);
      const fromAgent = message.from === "agent";
      ownNew = ownNew || fromAgent;
      const item = make("li", `ac-chat__message ac-chat__message--${fromAgent ? "agent" : "visitor"}`);
      item.dataset.from = message.from;
      const who = fromAgent ? (detail.agent ? detail.agent.name : "You") : first;
      const time = clock(message.timestamp);
      item.append(
        make("span", "ac-chat__meta", time ? `${who} · ${time}` : who),
        make("div", "ac-chat__text", message.text),
      );
      log.append(item);
    }
    if (atBottom || ownNew) log.scrollTop = log.scrollHeight;
    seenCounts.set(detail.handoffId, detail.messages.length);

    const typing = detail.state === "engaged" && detail.visitorTyping ? `${first} is typing…` : "";
    if (ui.typing.textContent !== typing) ui.typing.textContent = typing;

    const endedText = {
      "visitor-ended": `${first} ended the chat`,
      completed: "You ended the conversation.",
      failed: "No agent accepted in time.",
    }[detail.state] || "";
    ui.ended.textContent = endedText;
    ui.ended.hidden = endedText === "";

    const engaged = detail.state === "engaged";
    ui.reply.disabled = !engaged;
    ui.send.disabled = !engaged;
    ui.end.disabled = !engaged;
  }

  function renderContext(detail) {
    const v = detail.visitor;
    ui.title.textContent = displayName(v);
    const fill = (node, text) => {
      node.textContent = text || "—";
    };
    fill(ui.survey.firstName, v.firstName);
    fill(ui.survey.lastName, v.lastName);
    fill(ui.survey.email, v.email);
    fill(ui.survey.caseNumber, v.caseNumber);
    fill(ui.survey.lastTopic, detail.lastTopic);
    fill(ui.survey.mode, detail.mode);

    ui.transcriptList.replaceChildren();
    const lines = (detail.transcript || []).filter(
      (a) => a && a.type === "message" && typeof a.text === "string" && a.text.trim() !== "",
    );
    for (const activity of lines) {
      const from = activity.from || {};
      const who = from.role === "user" ? displayName(v) : from.name || from.id || "Bot";
      const item = make("li", "ac-transcript__item");
      item.dataset.role = from.role === "user" ? "visitor" : "bot";
      item.append(make("span", "ac-transcript__who", who), make("span", "ac-transcript__text", activity.text));
      ui.transcriptList.append(item);
    }
    ui.transcriptEmpty.hidden = lines.length > 0;
  }

  // ---- composing ----------------------------------------------------------------------

  async function sendReply() {
    if (!agent || !current || current.state !== "engaged") return;
    const text = ui.reply.value;
    if (!text.trim()) return;
    const handoffId = current.handoffId;
    ui.send.disabled = true;
    ui.composerError.textContent = "";
    try {
      await api("POST", `/handoffs/${enc(handoffId)}/messages`, { agentId: agent.agentId, text });
      if (selectedId === handoffId) ui.reply.value = "";
      lastTypingSent = 0;
    } catch (e) {
      ui.composerError.textContent = e.message;
    } finally {
      ui.send.disabled = !(current && current.state === "engaged");
    }
    poll();
  }

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });

  ui.reply.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });

  ui.reply.addEventListener("input", () => {
    if (!agent || !current || current.state !== "engaged" || !ui.reply.value.trim()) return;
    const now = Date.now();
    if (now - lastTypingSent < TYPING_EVERY_MS) return;
    lastTypingSent = now;
    api("POST", `/handoffs/${enc(current.handoffId)}/typing`, { agentId: agent.agentId }).catch(() => {});
  });

  ui.end.addEventListener("click", async () => {
    if (!agent || !current || current.state !== "engaged") return;
    ui.end.disabled = true;
    try {
      const detail = await api("POST", `/handoffs/${enc(current.handoffId)}/end`, {
        agentId: agent.agentId,
      });
      if (detail.handoffId === selectedId) renderDetail(detail);
    } catch (e) {
      ui.composerError.textContent = e.message;
    }
    poll();
  });

  // ---- start --------------------------------------------------------------------------

  agent = loadAgent();
  if (agent) {
    showWorkspace();
  } else {
    showSignIn("");
  }
})();
