// The agent console's DOM helpers and how it shows what was said: names, times, and a
// message's content, including what a visitor's cards posted back (a card submission as a
// key/value list, postBack and messageBack marked as such) and the cards, files and choices
// a bot or agent sent. Everything goes through createElement and textContent, never
// through HTML parsing: all of it comes from visitors, bots or other agents.

/** A new element with a class and text. */
export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fullName(visitor) {
  return `${visitor.firstName || ""} ${visitor.lastName || ""}`.trim();
}

export function displayName(visitor) {
  return fullName(visitor) || "Anonymous visitor";
}

export function firstName(visitor) {
  return visitor.firstName || fullName(visitor) || "The visitor";
}

/** Seconds as m:ss or h:mm:ss. */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** An ISO timestamp as local hh:mm ("" when unreadable). */
export function clock(timestamp) {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

const CARD_NAMES = {
  "application/vnd.microsoft.card.adaptive": "Adaptive Card",
  "application/vnd.microsoft.card.hero": "hero card",
  "application/vnd.microsoft.card.thumbnail": "thumbnail card",
  "application/vnd.microsoft.card.receipt": "receipt card",
  "application/vnd.microsoft.card.oauth": "sign-in card",
  "application/vnd.microsoft.card.signin": "sign-in card",
};

/** A Direct Line activity as the console shows it (same shape as a live chat message). */
export function fromActivity(activity) {
  const data = activity.channelData || {};
  const hasValue = activity.value !== undefined && activity.value !== null;
  let postedBy = null;
  if (data.postBack === true) postedBy = "postBack";
  else if (data.messageBack || hasValue) postedBy = "messageBack";
  const actions = (activity.suggestedActions && activity.suggestedActions.actions) || [];
  return {
    text: typeof activity.text === "string" ? activity.text : "",
    postedBy,
    displayText: data.messageBack && data.messageBack.displayText,
    value: hasValue ? activity.value : undefined,
    attachments: (activity.attachments || []).map(
      (a) => a.name || CARD_NAMES[a.contentType] || a.contentType || "attachment",
    ),
    choices: actions.map((a) => String(a.title || a.displayText || a.value || "")),
  };
}

/** Whether a message has anything to show. */
export function hasContent(sent) {
  return (
    sent.text.trim() !== "" ||
    sent.value !== undefined ||
    (sent.attachments || []).length > 0
  );
}

function plain(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The nodes showing `sent` ({text, postedBy, displayText, value, attachments, choices}). */
export function content(sent, textClass) {
  const nodes = [];
  if (sent.postedBy) {
    const how = sent.postedBy === "postBack" ? "postBack (hidden from the visitor's chat)" : "messageBack";
    nodes.push(make("span", "ac-sent__kind", how));
  }
  if (sent.displayText) nodes.push(make("span", "ac-sent__shown", `Shown as: ${sent.displayText}`));
  if (sent.text.trim() !== "") nodes.push(make("div", textClass, sent.text));
  if (sent.value !== undefined) {
    if (sent.value && typeof sent.value === "object" && !Array.isArray(sent.value)) {
      const list = make("dl", "ac-sent__values");
      for (const [key, value] of Object.entries(sent.value)) {
        const row = make("div", "ac-sent__value");
        row.append(make("dt", "", key), make("dd", "", plain(value)));
        list.append(row);
      }
      nodes.push(list);
    } else {
      nodes.push(make("div", "ac-sent__values", plain(sent.value)));
    }
  }
  for (const name of sent.attachments || []) {
    nodes.push(make("span", "ac-sent__attachment", `Attachment: ${name}`));
  }
  if ((sent.choices || []).length) {
    const list = make("ul", "ac-sent__choices");
    list.setAttribute("aria-label", "Choices offered");
    for (const choice of sent.choices) list.append(make("li", "", choice));
    nodes.push(list);
  }
  return nodes;
}
