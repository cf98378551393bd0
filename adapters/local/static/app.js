// Partnerbot web chat: talks to POST /api/local/messages and GET /api/local/notifications.
// Everything the server or the user sends is put on the page with textContent, never as HTML.
"use strict";

const POLL_MS = 15000;
const FIRST_LOAD_NOTIFICATIONS = 20;

const LABELS = {
  nl: {
    tagline: "Samen met leveranciers werk maken van banen", settings: "Chatinstellingen", guest: "Gast",
    org: "Organisatie", name: "Je naam", lang: "Taal", langAuto: "Automatisch", user: "Gebruiker",
    token: "Toegangscode", conversation: "Gesprek met Partnerbot", messageLabel: "Bericht aan Partnerbot",
    placeholder: "Typ je vraag…", hint: "Enter verstuurt, Shift+Enter geeft een nieuwe regel",
    send: "Versturen", welcomeTitle: "Welkom bij Partnerbot",
    welcomeText: "Ik help je werkgroep stap voor stap met social return en partnerships met leveranciers. " +
      "Stel een vraag of open het menu.",
    start: "Open het menu", startText: "hoi", bot: "Partnerbot", you: "Jij", typing: "Partnerbot typt…",
    reminder: "Herinnering", forGroup: "voor de werkgroep", section: "Onderdeel van de handreiking",
    required: "verplicht", choose: "Kies…", none: "(geen)", submit: "Versturen", attachment: "Bijlage",
    notSent: "Niet verstuurd", offline: "Geen verbinding met Partnerbot. Controleer je netwerk en probeer het opnieuw.",
    refused: "Partnerbot kon dit bericht niet aannemen: ", serverError: "Er ging iets mis op de server (code {code}). " +
      "Probeer het zo nog eens.", tokenNeeded: "Deze server vraagt om een toegangscode. Vul die in bij Toegangscode.",
    orgChanged: "Je praat nu namens organisatie “{org}”.",
  },
  en: {
    tagline: "Creating jobs together with suppliers", settings: "Chat settings", guest: "Guest",
    org: "Organisation", name: "Your name", lang: "Language", langAuto: "Automatic", user: "User",
    token: "Access code", conversation: "Conversation with Partnerbot", messageLabel: "Message to Partnerbot",
    placeholder: "Type your question…", hint: "Enter sends, Shift+Enter starts a new line",
    send: "Send", welcomeTitle: "Welcome to Partnerbot",
    welcomeText: "I help your working group step by step with social return and partnerships with suppliers. " +
      "Ask a question or open the menu.",
    start: "Open the menu", startText: "hi", bot: "Partnerbot", you: "You", typing: "Partnerbot is typing…",
    reminder: "Reminder", forGroup: "for the working group", section: "Part of the handbook",
    required: "required", choose: "Choose…", none: "(none)", submit: "Send", attachment: "Attachment",
    notSent: "Not sent", offline: "No connection with Partnerbot. Check your network and try again.",
    refused: "Partnerbot could not accept this message: ", serverError: "Something went wrong on the server " +
      "(code {code}). Please try again in a moment.",
    tokenNeeded: "This server asks for an access code. Fill it in under Access code.",
    orgChanged: "You now speak on behalf of organisation “{org}”.",
  },
};

const settings = loadSettings();
const seenNotifications = new Set();
let firstPoll = true;
let sendQueue = Promise.resolve();
let fieldCounter = 0;
const $ = (id) => document.getElementById(id);

// ---- settings and labels -------------------------------------------------------------------------

function storage(key) {
  return key === "token" ? window.sessionStorage : window.localStorage; // the access code lasts one visit
}

function recall(key) {
  try {
    return storage(key).getItem("pb." + key) || "";
  } catch {
    return ""; // storage switched off: settings last as long as the page
  }
}

function remember(key, value) {
  try {
    storage(key).setItem("pb." + key, value);
  } catch {
    // storage switched off: keep the setting for this visit only
  }
}

function loadSettings() {
  let user = recall("user");
  if (!user) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    user = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    remember("user", user);
  }
  return { org: recall("org") || "demo", user, name: recall("name"), lang: recall("lang"), token: recall("token") };
}

function label(key, params = {}) {
  const text = LABELS[settings.lang === "en" ? "en" : "nl"][key];
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

function applyLabels() {
  document.documentElement.lang = settings.lang === "en" ? "en" : "nl";
  for (const node of document.querySelectorAll("[data-label]")) node.textContent = label(node.dataset.label);
  for (const node of document.querySelectorAll("[data-label-placeholder]")) {
    node.placeholder = label(node.dataset.labelPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-label-aria]")) {
    node.setAttribute("aria-label", label(node.dataset.labelAria));
  }
}

function bindSettings() {
  for (const key of ["org", "name", "lang", "token"]) {
    const input = $("set-" + key);
    input.value = settings[key];
    input.addEventListener("change", () => changeSetting(key, input));
  }
  $("user-id").textContent = settings.user;
  $("token-row").hidden = !settings.token;
  $("settings").addEventListener("submit", (event) => event.preventDefault());
  // on a small screen the settings fold away behind a button in the header
  $("settings-toggle").addEventListener("click", () => {
    const open = $("settings").classList.toggle("open");
    $("settings-toggle").setAttribute("aria-expanded", String(open));
  });
}

function changeSetting(key, input) {
  const value = input.value.trim() || (key === "org" ? "demo" : "");
  input.value = value;
  if (value === settings[key]) return;
  settings[key] = value;
  remember(key, value);
  if (key === "org") {
    startConversation();
    addNote(label("orgChanged", { org: value }));
  } else if (key === "lang") {
    applyLabels();
    // tell the bot too, so it answers in the language picked here
    if (value) enqueue({ choice: "core:lang:" + value }, null);
  }
}

// ---- building the page ---------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function scrollToEnd() {
  const log = $("log");
  log.scrollTop = log.scrollHeight;
}

function addBubble(who, extraClass) {
  $("welcome").hidden = true;
  const row = el("div", "msg msg-" + who + (extraClass ? " " + extraClass : ""));
  const bubble = el("div", "bubble");
  row.append(bubble);
  $("messages").append(row);
  scrollToEnd();
  return bubble;
}

function addNote(text) {
  const note = el("p", "note", text);
  $("messages").append(note);
  scrollToEnd();
}

function addUserBubble(text) {
  const bubble = addBubble("user");
  bubble.append(el("span", "sr-only", label("you") + ": "), el("span", "text", text));
  return bubble;
}

function showReply(reply, notice) {
  const bubble = addBubble("bot", notice ? "msg-reminder" : "");
  const meta = el("div", "meta");
  meta.append(el("span", "who", label("bot")));
  if (notice) {
    const tag = label("reminder") + (notice.to === "group" ? " " + label("forGroup") : "");
    meta.append(el("span", "tag", tag));
    const when = notice.sent_at ? new Date(notice.sent_at) : null;
    if (when && !isNaN(when)) {
      const time = el("time", "when", when.toLocaleString(settings.lang === "en" ? "en-GB" : "nl-NL",
        { dateStyle: "medium", timeStyle: "short" }));
      time.dateTime = notice.sent_at;
      meta.append(time);
    }
  }
  if (reply.section) {
    const badge = el("span", "badge", reply.section);
    badge.title = label("section") + " " + reply.section;
    meta.append(badge);
  }
  bubble.append(meta);
  if (reply.text) bubble.append(renderMarkdown(String(reply.text)));
  if (Array.isArray(reply.attachments) && reply.attachments.length) bubble.append(renderAttachments(reply.attachments));
  if (reply.form && Array.isArray(reply.form.fields)) bubble.append(renderForm(reply.form));
  if (Array.isArray(reply.choices) && reply.choices.length) bubble.parentNode.append(renderChoices(reply.choices));
  scrollToEnd();
}

// ---- the Markdown subset of bot/markdown.py ------------------------------------------------------

const INLINE = new RegExp(
  String.raw`\\(?<esc>[\\*_\[\]()\x60#<>|~.+\-])` +
  String.raw`|\*\*(?<bold>(?:\\.|[^*\\])+?)\*\*` +
  String.raw`|(?<![\p{L}\p{N}_\\])_(?<ital>(?:\\.|[^_\\])+?)_(?![\p{L}\p{N}_])` +
  String.raw`|(?<![\p{L}\p{N}_\\*])\*(?<ital2>[^*\s](?:\\.|[^*\\])*?)\*(?!\*)` +
  String.raw`|\[(?<ltext>(?:\\.|[^\]\\])+)\]\((?<url>(?:https?:\/\/|mailto:)[^)\s]+)\)`, "gu");
const BULLET = /^\s*[-+]\s+/;
const NUMBERED = /^\s*(\d+)\.\s+/;

function unescapeMd(text) {
  return text.replace(/\\(.)/gu, "$1");
}

function safeUrl(raw, protocols) {
  try {
    const url = new URL(raw, window.location.href);
    return protocols.includes(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

function renderInline(line, parent) {
  let plain = "";
  let pos = 0;
  const flush = () => {
    if (plain) parent.append(document.createTextNode(plain));
    plain = "";
  };
  for (const m of line.matchAll(INLINE)) {
    plain += line.slice(pos, m.index);
    pos = m.index + m[0].length;
    const g = m.groups;
    if (g.esc !== undefined) {
      plain += g.esc;
      continue;
    }
    flush();
    if (g.bold !== undefined) {
      parent.append(el("strong", "", unescapeMd(g.bold)));
    } else if (g.ital !== undefined || g.ital2 !== undefined) {
      parent.append(el("em", "", unescapeMd(g.ital ?? g.ital2)));
    } else {
      const url = safeUrl(g.url, ["http:", "https:", "mailto:"]);
      if (!url) {
        plain += unescapeMd(g.ltext);
        continue;
      }
      const link = el("a", "", unescapeMd(g.ltext));
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.append(link);
    }
  }
  plain += line.slice(pos);
  flush();
}

function renderMarkdown(text) {
  const body = el("div", "text");
  let list = null;
  for (const line of text.replace(/\r\n/g, "\n").split("\n")) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const kind = bullet ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== kind) {
        list = body.appendChild(el(kind));
        if (numbered && numbered[1] !== "1") list.start = Number(numbered[1]);
      }
      const item = list.appendChild(el("li"));
      renderInline(line.slice((bullet || numbered)[0].length), item);
      continue;
    }
    list = null;
    if (!line.trim()) continue;
    renderInline(line, body.appendChild(el("p")));
  }
  return body;
}

// ---- choices, forms, attachments -----------------------------------------------------------------

function renderChoices(choices) {
  const row = el("div", "choices");
  row.setAttribute("role", "group");
  for (const choice of choices) {
    const button = el("button", "choice", choice.label);
    button.type = "button";
    button.addEventListener("click", () => enqueue({ choice: String(choice.value) }, String(choice.label)));
    row.append(button);
  }
  return row;
}

function fieldControl(field, id) {
  const options = Array.isArray(field.options) ? field.options : [];
  const value = field.value;
  if (field.type === "multichoice") {
    const picked = new Set((Array.isArray(value) ? value : value ? [value] : []).map(String));
    const box = el("div", "checks");
    for (const [i, option] of options.entries()) {
      const row = el("label", "check");
      const input = el("input");
      input.type = "checkbox";
      input.name = field.name;
      input.value = String(option.value);
      input.id = id + "-" + i;
      input.checked = picked.has(input.value);
      row.append(input, document.createTextNode(" " + option.label));
      box.append(row);
    }
    return box;
  }
  if (field.type === "choice") {
    const select = el("select");
    if (!field.required || value === undefined || value === null || value === "") {
      const empty = el("option", "", field.required ? label("choose") : label("none"));
      empty.value = "";
      select.append(empty);
    }
    for (const option of options) {
      const item = el("option", "", option.label);
      item.value = String(option.value);
      select.append(item);
    }
    select.value = value === undefined || value === null ? "" : String(value);
    return select;
  }
  const input = el(field.type === "textarea" ? "textarea" : "input");
  if (field.type === "textarea") input.rows = 3;
  else if (field.type === "date") input.type = "date";
  else {
    input.type = "text";
    if (field.type === "number") input.inputMode = "decimal";
  }
  if (value !== undefined && value !== null) {
    const text = String(value);
    input.value = field.type === "date" && /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : text;
  }
  return input;
}

function renderForm(form) {
  const node = el("form", "form");
  const box = el("fieldset");
  if (form.title) box.append(el("legend", "", form.title));
  const fields = [];
  for (const field of form.fields) {
    const id = "f" + ++fieldCounter;
    const wrap = el("div", "field field-" + field.type);
    const control = fieldControl(field, id);
    const caption = el(field.type === "multichoice" ? "span" : "label", "field-label", field.label);
    if (field.type === "multichoice") {
      caption.id = id + "-label";
      control.setAttribute("role", "group");
      control.setAttribute("aria-labelledby", caption.id);
    } else {
      control.id = id;
      control.name = field.name;
      caption.htmlFor = id;
      control.required = Boolean(field.required);
    }
    if (field.required) {
      caption.append(el("span", "req", " *"));
      caption.lastChild.setAttribute("aria-hidden", "true");
      caption.append(el("span", "sr-only", " (" + label("required") + ")"));
    }
    wrap.append(caption, control);
    if (field.hint) {
      const hint = el("p", "field-hint", field.hint);
      hint.id = id + "-hint";
      control.setAttribute("aria-describedby", hint.id);
      wrap.append(hint);
    }
    box.append(wrap);
    fields.push({ field, control });
  }
  const submit = el("button", "submit", form.submit_label || label("submit"));
  submit.type = "submit";
  box.append(submit);
  node.append(box);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = {};
    const summary = [];
    for (const { field, control } of fields) {
      values[field.name] = readField(field, control);
      summary.push(field.label + ": " + describeValue(field, values[field.name]));
    }
    box.disabled = true;
    const ok = await enqueue({ form: { id: form.id, values } }, summary.join("\n"));
    if (!ok) box.disabled = false;
  });
  return node;
}

function readField(field, control) {
  if (field.type === "multichoice") {
    return Array.from(control.querySelectorAll("input:checked"), (input) => input.value);
  }
  return control.value;
}

function describeValue(field, value) {
  const options = Array.isArray(field.options) ? field.options : [];
  const name = (v) => (options.find((o) => String(o.value) === v) || { label: v }).label;
  const text = Array.isArray(value) ? value.map(name).join(", ") : field.type === "choice" ? name(value) : value;
  const shown = String(text ?? "").replace(/\s+/g, " ").trim() || "–";
  return shown.length > 80 ? shown.slice(0, 79) + "…" : shown;
}

function renderAttachments(attachments) {
  const box = el("div", "attachments");
  for (const att of attachments) {
    const url = att.url ? safeUrl(att.url, ["http:", "https:"]) : null;
    const name = String(att.name || label("attachment"));
    if (!url || url.origin !== window.location.origin) {
      box.append(el("span", "attachment", name));
      continue;
    }
    const link = el("a", "attachment");
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (String(att.media_type || "").startsWith("image/")) {
      const img = el("img", "attachment-image");
      img.src = url.href;
      img.alt = name;
      img.addEventListener("load", scrollToEnd, { once: true });
      link.append(img);
    } else {
      link.classList.add("file");
      link.textContent = name;
    }
    box.append(link);
  }
  return box;
}

// ---- talking to the server -----------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers);
  if (settings.token) headers.Authorization = "Bearer " + settings.token;
  const res = await fetch(path, Object.assign({}, options, { headers }));
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data && typeof data.error === "string" ? data.error : "");
  return data;
}

function showStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.dataset.kind = kind;
  status.hidden = false;
}

function clearStatus(kind) {
  const status = $("status");
  if (!kind || status.dataset.kind === kind) status.hidden = true;
}

function reportError(err) {
  if (!(err instanceof ApiError)) {
    showStatus(label("offline"), "offline");
  } else if (err.status === 401) {
    $("token-row").hidden = false;
    showStatus(label("tokenNeeded"), "refused");
  } else if (err.status < 500) {
    showStatus(label("refused") + (err.message || err.status), "refused");
  } else {
    showStatus(label("serverError", { code: err.status }), "server");
  }
}

function enqueue(body, shownAs) {
  const run = () => sendMessage(body, shownAs);
  sendQueue = sendQueue.then(run, run);
  return sendQueue;
}

async function sendMessage(body, shownAs) {
  const mine = shownAs ? addUserBubble(shownAs) : null;
  const typing = addBubble("bot", "msg-typing");
  typing.setAttribute("aria-label", label("typing"));
  typing.append(el("span", "dot"), el("span", "dot"), el("span", "dot"));
  const payload = Object.assign({ org: settings.org, user: settings.user, name: settings.name || label("guest") }, body);
  try {
    const data = await api("/api/local/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    clearStatus();
    typing.parentNode.remove();
    for (const reply of data.replies || []) showReply(reply);
    pollNotifications();
    return true;
  } catch (err) {
    typing.parentNode.remove();
    if (mine) {
      mine.parentNode.classList.add("msg-failed");
      mine.parentNode.append(el("span", "failed", label("notSent")));
      scrollToEnd();
    }
    // a typed message that did not arrive goes back into the composer, ready to send again
    if (typeof body.text === "string" && !$("message").value) $("message").value = body.text;
    reportError(err);
    return false;
  }
}

async function pollNotifications() {
  const org = settings.org;
  const user = settings.user;
  let data;
  try {
    data = await api("/api/local/notifications?" + new URLSearchParams({ org, user }));
  } catch (err) {
    reportError(err);
    return;
  }
  clearStatus("offline");
  if (org !== settings.org || user !== settings.user) return;
  let items = (data.notifications || []).filter((n) => !seenNotifications.has(n.key));
  for (const item of items) seenNotifications.add(item.key);
  if (firstPoll) items = items.slice(-FIRST_LOAD_NOTIFICATIONS);
  firstPoll = false;
  for (const item of items) showReply(item, { to: item.to, sent_at: item.sent_at });
}

function startConversation() {
  $("messages").replaceChildren();
  $("welcome").hidden = false;
  seenNotifications.clear();
  firstPoll = true;
  pollNotifications();
}

// ---- the composer --------------------------------------------------------------------------------

function bindComposer() {
  const form = $("composer");
  const input = $("message");
  const grow = () => {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 200) + "px";
  };
  input.addEventListener("input", grow);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    grow();
    enqueue({ text }, text);
  });
  $("start").addEventListener("click", () => {
    enqueue({ text: label("startText") }, label("startText"));
    input.focus();
  });
}

function init() {
  applyLabels();
  bindSettings();
  bindComposer();
  startConversation();
  setInterval(pollNotifications, POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") pollNotifications();
  });
}

init();
