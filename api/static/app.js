// citeqa chat page. Article text and answers are untrusted: everything is rendered with
// textContent / DOM nodes, never innerHTML.
"use strict";

const state = { conversationId: sessionStorage.getItem("citeqa.conversation") || null };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(method, path, body) {
  const headers = { "content-type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || `HTTP ${response.status}`);
    error.code = data.code;
    throw error;
  }
  return data;
}

function citationChip(n, documentId, start, end, title) {
  return el("button", {
    className: "chip", type: "button", "data-doc": documentId, "data-start": start, "data-end": end,
    title: `Open “${title}” at the quote`, text: `[${n}] ${title}`,
    onclick: () => openArticle(documentId, start, end),
  });
}

function renderResult(item, result) {
  item.replaceChildren(el("div", { className: "q", text: result.question }));
  if (result.resolved_question !== result.question) {
    item.append(el("div", { className: "resolved", text: `Understood as: ${result.resolved_question}` }));
  }
  if (result.time_filter) item.append(el("div", { className: "time-filter", text: timeNote(result.time_filter) }));
  if (result.as_of) item.append(el("div", { className: "time-filter", text: `As of ${spokenDate(result.as_of)}: only articles published by then.` }));
  if (!result.answered) {
    item.append(el("p", { className: "abstain", text: result.answer }));
    if (result.related.length) {
      const list = el("ul", { className: "related" });
      result.related.forEach((r, i) => list.append(el("li", {}, `“${r.highlight}”`,
        citationChip(i + 1, r.document_id, r.highlight_start, r.highlight_end, r.title),
        el("span", { className: "confidence", text: ` ${r.published ? spokenDate(r.published) : "undated"}` }))));
      item.append(el("div", { text: "Closest passages:" }), list);
    }
    return;
  }
  result.answers.forEach((a, i) => {
    const quote = el("blockquote", { className: a.older ? "answer older" : "answer" });
    quote.append(el("span", { className: a.older ? "when older" : "when", text: datedLead(a, i === 0) }));
    if (a.short_answer) quote.append(el("span", { className: "short", text: `${a.short_answer} — ` }));
    quote.append(`“${a.text}”`, citationChip(i + 1, a.document_id, a.start, a.end, a.title),
      el("span", { className: "confidence", text: ` ${a.published || "undated"} · confidence ${a.score.toFixed(2)}` +
        (a.lang && a.lang !== result.lang ? ` · quoted in ${LANGUAGES[a.lang] || a.lang}` : "") }));
    item.append(quote);
  });
}

const LANGUAGES = { en: "English", zh: "Chinese" };
const DATES = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const spokenDate = (iso) => DATES.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));

function datedLead(answer, first) {
  if (!answer.published) return "Undated article: ";
  const when = spokenDate(answer.published);
  if (first) return `As of ${when}: `;
  return answer.older ? `Earlier, on ${when}: ` : `On ${when}: `;
}

function timeNote(found) {
  const low = found.published_from && spokenDate(found.published_from);
  const high = found.published_to && spokenDate(found.published_to);
  const span = low && high ? `${low} to ${high}` : high ? `on or before ${high}` : `from ${low} on`;
  return found.applied ? `“${found.expression}”: articles published ${span}.`
    : `“${found.expression}”: no article published ${span} answers this; the quotes below are from other dates.`;
}

async function ask(question) {
  const item = el("li", { className: "turn" }, el("div", { className: "q", text: question }),
    el("div", { className: "resolved", text: "Looking in the articles…" }));
  $("thread").append(item);
  item.scrollIntoView({ block: "end" });
  try {
    const body = { question };
    const asOf = $("as-of").value;
    if (asOf) body.as_of = asOf;
    if (state.conversationId) body.conversation_id = state.conversationId;
    let result;
    try {
      result = await api("POST", "/v1/ask", body);
    } catch (error) {
      if (error.code !== "conversation_not_found") throw error;
      delete body.conversation_id;  // the server forgot it (new index): start over
      result = await api("POST", "/v1/ask", body);
    }
    state.conversationId = result.conversation_id;
    sessionStorage.setItem("citeqa.conversation", state.conversationId);
    renderResult(item, result);
  } catch (error) {
    item.append(el("p", { className: "error", text: `Error: ${error.message}` }));
  }
  item.scrollIntoView({ block: "end" });
}

async function openArticle(documentId, start, end) {
  try {
    const doc = await api("GET", `/v1/documents/${encodeURIComponent(documentId)}`);
    $("article-title").textContent = doc.title;
    const meta = [doc.published || "undated", doc.author, doc.url || doc.source].filter(Boolean).join(" · ");
    $("article-meta").textContent = meta;
    const text = $("article-text");
    if (start === undefined) {
      text.replaceChildren(doc.text);
      text.scrollTop = 0;
      return;
    }
    const mark = el("mark", { id: "highlight", text: doc.text.slice(start, end) });
    text.replaceChildren(doc.text.slice(0, start), mark, doc.text.slice(end));
    mark.scrollIntoView({ block: "center" });
  } catch (error) {
    $("status").textContent = `Could not open the article: ${error.message}`;
  }
}

async function loadArticles() {
  try {
    const page = await api("GET", "/v1/documents?limit=200");
    $("articles").replaceChildren(...page.documents.map((d) => el("li", {
      tabindex: "0", text: `${d.title} (${d.published || "undated"})`,
      onclick: () => openArticle(d.id), onkeydown: (e) => { if (e.key === "Enter") openArticle(d.id); },
    })));
  } catch (error) {
    $("status").textContent = `Could not list the articles: ${error.message}`;
  }
}

$("ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  $("question").value = "";
  ask(question);
});
$("new-chat").addEventListener("click", () => {
  state.conversationId = null;
  sessionStorage.removeItem("citeqa.conversation");
  $("thread").replaceChildren();
});
$("api-key").addEventListener("change", loadArticles);
loadArticles();
