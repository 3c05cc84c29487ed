// The agent console's two side lists: the waiting visitors (with their Accept buttons) and
// the agent's own conversations (state, typing, unread mark). Updates the items in place
// on every poll, so focus and scroll stay put; what happens on a click is the caller's.

import { displayName, duration, make } from "./console-view.js";

export const STATUS_LABELS = {
  waiting: "Waiting",
  engaged: "Connected",
  completed: "Completed",
  failed: "No agent in time",
  "visitor-ended": "Ended by visitor",
};

/**
 * The lists inside `ui`; `onAccept(handoffId, button)` and `onSelect(handoffId)` are
 * called on clicks.
 */
export function createLists(ui, { onAccept, onSelect }) {
  const queueItems = new Map();
  const mineItems = new Map();
  /** handoffId -> message count the agent has seen (for the unread mark). */
  const seenCounts = new Map();

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
    accept.addEventListener("click", () => onAccept(entry.handoffId, accept));
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

  /** The agent's conversations; selects the latest engaged one when none is selected. */
  function renderMine(handoffs, selectedId) {
    ui.mineEmpty.hidden = handoffs.length > 0;
    if (!selectedId && handoffs.length) {
      const engaged = handoffs.filter((h) => h.state === "engaged");
      selectedId = (engaged[engaged.length - 1] || handoffs[handoffs.length - 1]).handoffId;
      onSelect(selectedId);
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
    button.addEventListener("click", () => onSelect(handoffId));
    li.append(button);
    return { li, button };
  }

  /** Marks `handoffId` as the one shown. */
  function markSelected(handoffId) {
    for (const [id, entry] of mineItems) {
      entry.button.setAttribute("aria-current", id === handoffId ? "true" : "false");
    }
  }

  function clear() {
    queueItems.clear();
    mineItems.clear();
    seenCounts.clear();
    ui.queueList.replaceChildren();
    ui.mineList.replaceChildren();
  }

  return {
    renderQueue,
    renderMine,
    markSelected,
    clear,
    markSeen: (handoffId, count) => seenCounts.set(handoffId, count),
  };
}
