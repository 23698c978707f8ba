// The judge's scoring sheet on a phone (观摩评分). No inline script (CSP).
//
// Every change is kept at once in localStorage (the draft) and sent to the server with an
// idempotency key and a client sequence number; failures are retried with back-off until the
// server answers. The draft is removed only when the server has confirmed that save, so a
// closed tab, a dead battery or a tunnel loses nothing: the next visit sends it again.
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var readonly = form.getAttribute("data-readonly") === "1";
  var saveUrl = form.getAttribute("data-save-url");
  var submitUrl = form.getAttribute("data-submit-url");
  var draftKey = form.getAttribute("data-draft-key");
  var doneUrl = form.getAttribute("data-done-url");
  var statusEl = document.getElementById("save-status");
  var totalEl = document.getElementById("score-total");
  var comment = document.getElementById("comment");
  var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  var timer = null;
  var inflight = false;
  var retryDelay = 1000;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "insp-save-status" + (kind ? " is-" + kind : "");
  }
  function inputs() { return form.querySelectorAll(".insp-criterion input"); }
  function collect() {
    var scores = {};
    inputs().forEach(function (input) {
      var id = input.closest(".insp-criterion").getAttribute("data-criterion");
      scores[id] = input.value === "" ? null : input.value;
    });
    return { scores: scores, comment: comment ? comment.value : "" };
  }
  function updateTotal() {
    var sum = 0;
    inputs().forEach(function (input) { var v = parseFloat(input.value); if (!isNaN(v)) { sum += v; } });
    totalEl.textContent = (Math.round(sum * 10) / 10).toString();
  }
  function readDraft() {
    try { return JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (e) { return null; }
  }
  function writeDraft(draft) {
    try { window.localStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* private mode */ }
  }
  function clearDraft(seq) {
    var draft = readDraft();
    if (draft && draft.seq <= seq) { window.localStorage.removeItem(draftKey); }
  }
  function clamp(input) {
    var max = parseFloat(input.closest(".insp-criterion").getAttribute("data-max"));
    var v = parseFloat(input.value);
    if (isNaN(v)) { return; }
    v = Math.round(Math.min(Math.max(v, 0), max) * 2) / 2;
    input.value = v.toString();
  }
  function changed() {
    var data = collect();
    var draft = { scores: data.scores, comment: data.comment, seq: Date.now(), key: newKey() };
    writeDraft(draft);
    updateTotal();
    setStatus("已暂存在本机，正在保存…", "pending");
    window.clearTimeout(timer);
    timer = window.setTimeout(send, 600);
  }
  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: Object.assign({ "Content-Type": "application/json", "Accept": "application/json" }, headers),
      body: JSON.stringify(body)
    });
  }
  function send() {
    var draft = readDraft();
    if (!draft) { return Promise.resolve(true); }
    if (inflight) { window.clearTimeout(timer); timer = window.setTimeout(send, 300); return Promise.resolve(false); }
    inflight = true;
    return post(saveUrl, draft).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        inflight = false;
        if (response.ok) {
          retryDelay = 1000;
          clearDraft(draft.seq);
          if (!readDraft()) {
            setStatus("已保存 " + new Date().toLocaleTimeString("zh-CN", { hour12: false }), "ok");
          }
          return true;
        }
        if (response.status >= 500 || response.status === 429) { throw new Error("server " + response.status); }
        // A refusal (bad points, closed sheet, conflict): say why; the draft stays for correction.
        var message = (body.error && body.error.message) || "保存失败（" + response.status + "）";
        setStatus(message, "error");
        return false;
      });
    }).catch(function () {
      inflight = false;
      setStatus("网络不稳定，评分已暂存在本机，" + Math.round(retryDelay / 1000) + " 秒后重试…", "pending");
      window.clearTimeout(timer);
      timer = window.setTimeout(send, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
      return false;
    });
  }

  if (readonly) {
    window.localStorage.removeItem(draftKey);
    return;
  }
  // A draft the server never confirmed: put it back and send it again.
  var pending = readDraft();
  if (pending) {
    inputs().forEach(function (input) {
      var id = input.closest(".insp-criterion").getAttribute("data-criterion");
      if (Object.prototype.hasOwnProperty.call(pending.scores, id) && pending.scores[id] !== null) {
        input.value = pending.scores[id];
      }
    });
    if (comment && typeof pending.comment === "string") { comment.value = pending.comment; }
    updateTotal();
    setStatus("发现尚未保存的评分，正在重新发送…", "pending");
    send();
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest(".insp-step");
    if (!button) { return; }
    var input = button.parentNode.querySelector("input");
    var current = parseFloat(input.value);
    if (isNaN(current)) { current = 0; }
    input.value = (current + parseFloat(button.getAttribute("data-step"))).toString();
    clamp(input);
    changed();
  });
  form.addEventListener("change", function (event) {
    if (event.target.matches(".insp-criterion input")) { clamp(event.target); }
    changed();
  });
  form.addEventListener("input", function (event) {
    if (event.target === comment) { changed(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitting = event.submitter && event.submitter.name === "submit";
    window.clearTimeout(timer);
    if (!readDraft()) { changed(); window.clearTimeout(timer); }
    send().then(function (ok) {
      if (!ok || !submitting) { return; }
      setStatus("正在提交…", "pending");
      post(submitUrl, {}).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) { window.location.assign(doneUrl); return; }
          setStatus((body.error && body.error.message) || "提交失败（" + response.status + "）", "error");
        });
      }).catch(function () { setStatus("网络不稳定，提交未完成，请稍后再点“提交评分”。", "error"); });
    });
  });
})();
