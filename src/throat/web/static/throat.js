// throat: votes, comments and "load more" without reloading the page. Every form also works
// without this script (it posts and the server redirects back).
"use strict";

function csrfToken() {
  const field = document.getElementById("csrf_token");
  return field ? field.value : "";
}

function announce(message) {
  const status = document.getElementById("status");
  if (!status) return;
  status.textContent = message;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { status.textContent = ""; }, 4000);
}

async function post(url, fields) {
  const body = new URLSearchParams(fields);
  if (!body.has("csrf_token")) body.set("csrf_token", csrfToken());
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
  });
  const type = response.headers.get("Content-Type") || "";
  const answer = type.includes("json") ? await response.json() : await response.text();
  return { ok: response.ok, answer };
}

function errorText(answer) {
  if (answer && answer.error) return Array.isArray(answer.error) ? answer.error.join(" ") : answer.error;
  return "Something went wrong. Try again.";
}

async function vote(form, button) {
  const result = await post(button.formAction, new FormData(form));
  if (!result.ok || result.answer.status !== "ok") {
    announce(errorText(result.answer));
    return;
  }
  form.querySelector(".score").textContent = result.answer.score;
  for (const other of form.querySelectorAll(".vote")) {
    const on = other === button && !result.answer.rm;
    other.classList.toggle("on", on);
    other.setAttribute("aria-pressed", on ? "true" : "false");
  }
}

async function comment(form) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await post(form.action, new FormData(form));
    if (!result.ok || result.answer.status !== "ok") {
      announce(errorText(result.answer));
      return;
    }
    const holder = document.createElement("div");
    holder.innerHTML = result.answer.comment;
    const added = holder.firstElementChild;
    const parent = form.closest(".comment");
    if (parent) {
      parent.querySelector(":scope > .children").prepend(added);
      form.closest("details").open = false;
    } else {
      document.getElementById("comments").prepend(added);
    }
    form.reset();
    added.scrollIntoView({ block: "nearest" });
    announce("Comment posted.");
  } finally {
    button.disabled = false;
  }
}

async function loadMore(link) {
  const { pid, parent, key } = link.dataset;
  let url = "/do/get_children/" + pid + "/" + (parent || "null");
  if (key) url += "/" + key;
  const result = await post(url, {});
  if (!result.ok || typeof result.answer !== "string") {
    announce(errorText(result.answer));
    return;
  }
  const marker = link.closest(".more");
  const holder = document.createElement("div");
  holder.innerHTML = result.answer;
  markViewed(holder);
  marker.replaceWith(...holder.children);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.classList.contains("votes")) {
    event.preventDefault();
    const button = event.submitter || form.querySelector(".vote.up");
    vote(form, button).catch(() => announce("The vote did not go through."));
  } else if (form.classList.contains("comment-form")) {
    event.preventDefault();
    comment(form).catch(() => announce("The comment was not sent."));
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.load-more");
  if (link) {
    event.preventDefault();
    loadMore(link).catch(() => announce("Could not load the comments."));
  }
});

// Comments shown to a logged-in reader count as viewed: the "best" order weighs votes by views.
function markViewed(root) {
  if (!document.querySelector(".account .me")) return;
  const cids = [...root.querySelectorAll(".comment[data-cid]")].map((c) => c.dataset.cid);
  if (cids.length) post("/do/mark_viewed", { cids: JSON.stringify(cids) }).catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  const comments = document.getElementById("comments");
  if (comments) markViewed(comments);
});
