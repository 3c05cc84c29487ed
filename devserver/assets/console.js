// Live-agent console of the handoff-chat dev server: the page's controller (sign-in,
// polling, the selected conversation, composing). The API client is console-api.js, the
// side lists console-lists.js, DOM helpers and message content console-view.js.
//
// Vanilla JavaScript modules against the JSON API under /agent/api (see docs/handoff.md,
// "Agent console API"). Polls about once a second. Every text that comes from a visitor, a
// bot or another agent is inserted with textContent / createElement only, never parsed as
// HTML.

import { api, enc, setSession } from "./console-api.js";
import { createLists, STATUS_LABELS } from "./console-lists.js";
import { clock, content, displayName, firstName, fromActivity, hasContent, make } from "./console-view.js";

const STORAGE_KEY = "handoff-chat.agent";
const POLL_MS = 1000;
const TYPING_EVERY_MS = 3000;
const NOTICE_MS = 10000;

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
  choices: $(".ac-composer__choices"),
};

/** The signed-in agent: {agentId, name, session}, or null. The session secret is kept in
 * sessionStorage (this tab only, gone when it closes) so a reload stays signed in. */
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
const lists = createLists(ui, {
  onAccept: acceptHandoff,
  onSelect: (handoffId) => {
    select(handoffId);
    poll();
  },
});

function freshShown(handoffId) {
  return { handoffId, messageIds: new Set() };
}

// ---- notices ----------------------------------------------------------------------

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
    const valid = saved && typeof saved.agentId === "string" && typeof saved.session === "string";
    return valid ? saved : null;
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
  setSession(null);
  selectedId = null;
  current = null;
  shown = freshShown(null);
  lists.clear();
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
    agent = { agentId: created.agentId, name: created.name, session: created.session };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(agent));
    setSession(agent.session);
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
    lists.renderQueue(queue.waiting);
    lists.renderMine(mine.handoffs, selectedId);
    if (selectedId) {
      const detail = await api(
        "GET",
        `/handoffs/${enc(selectedId)}?agentId=${enc(agent.agentId)}`,
      );
      if (detail.handoffId === selectedId) renderDetail(detail);
    }
    ui.connection.hidden = true;
  } catch (e) {
    if (e.status === 401) {
      polling = false;
      signOut("Your session is no longer valid (the server restarted). Sign in again.");
      return;
    }
    ui.connection.hidden = e.status !== 0;
  } finally {
    polling = false;
  }
  if (agent) pollTimer = setTimeout(poll, pollAgain ? 0 : POLL_MS);
}

// ---- the conversations -------------------------------------------------------------

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

function select(handoffId) {
  if (selectedId === handoffId) return;
  selectedId = handoffId;
  current = null;
  lists.markSelected(handoffId);
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
      ...content(message, "ac-chat__text"),
    );
    log.append(item);
  }
  if (atBottom || ownNew) log.scrollTop = log.scrollHeight;
  lists.markSeen(detail.handoffId, detail.messages.length);

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
  ui.choices.disabled = !engaged;
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
  const lines = (detail.transcript || [])
    .filter((a) => a && a.type === "message")
    .map((a) => ({ from: a.from || {}, sent: fromActivity(a) }))
    .filter((line) => hasContent(line.sent));
  for (const { from, sent } of lines) {
    const who = from.role === "user" ? displayName(v) : from.name || from.id || "Bot";
    const item = make("li", "ac-transcript__item");
    item.dataset.role = from.role === "user" ? "visitor" : "bot";
    const body = make("div", "ac-transcript__content");
    body.append(...content(sent, "ac-transcript__text"));
    item.append(make("span", "ac-transcript__who", who), body);
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

/** The question a Yes / No click asks when the reply box is empty. */
const DEFAULT_QUESTION = "Did that answer your question?";

// Suggested actions: the visitor answers with one click (imBack: the choice is posted as
// their message).
ui.choices.addEventListener("click", async () => {
  if (!agent || !current || current.state !== "engaged") return;
  const handoffId = current.handoffId;
  const text = ui.reply.value.trim() || DEFAULT_QUESTION;
  ui.choices.disabled = true;
  ui.composerError.textContent = "";
  try {
    await api("POST", `/handoffs/${enc(handoffId)}/choices`, {
      agentId: agent.agentId,
      text,
      choices: ["Yes", "No"],
    });
    if (selectedId === handoffId) ui.reply.value = "";
  } catch (e) {
    ui.composerError.textContent = e.message;
  } finally {
    ui.choices.disabled = !(current && current.state === "engaged");
  }
  poll();
});

// ---- start --------------------------------------------------------------------------

agent = loadAgent();
if (agent) {
  setSession(agent.session);
  showWorkspace();
} else {
  showSignIn("");
}
