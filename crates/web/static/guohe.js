// 国合 Guohe — progressive enhancement only; every page works without it.
(function () {
  "use strict";
  // Filters apply as soon as a choice changes.
  document.querySelectorAll("form.filters select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  // Character counters on long text fields.
  document.querySelectorAll("textarea[data-counter]").forEach(function (ta) {
    var max = parseInt(ta.getAttribute("maxlength") || "0", 10);
    var out = document.createElement("p");
    out.className = "counter";
    out.setAttribute("aria-live", "polite");
    ta.insertAdjacentElement("afterend", out);
    var update = function () { out.textContent = Array.from(ta.value).length + (max ? " / " + max : ""); };
    ta.addEventListener("input", update);
    update();
  });
  // Live eligibility check beside the application form: after a pause in typing, the form is
  // posted (with its CSRF field) to the check endpoint and the server-rendered panel replaced.
  var draft = document.querySelector("form[data-check]");
  var panel = document.getElementById("check-panel");
  if (draft && panel && window.fetch && window.FormData) {
    var timer = null;
    var inflight = null;
    var run = function () {
      var body = new URLSearchParams();
      new FormData(draft).forEach(function (v, k) { if (typeof v === "string") { body.append(k, v); } });
      if (inflight && inflight.abort) { inflight.abort(); }
      inflight = window.AbortController ? new AbortController() : null;
      fetch(draft.getAttribute("data-check"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        signal: inflight ? inflight.signal : undefined
      }).then(function (r) {
        return r.ok ? r.text() : null;
      }).then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("check-panel");
        if (fresh) { panel.replaceWith(fresh); panel = fresh; }
      }).catch(function () { /* the buttons still work without the live panel */ });
    };
    var schedule = function () { clearTimeout(timer); timer = setTimeout(run, 600); };
    draft.addEventListener("input", schedule);
    draft.addEventListener("change", schedule);
  }
  // Avoid double submissions.
  document.querySelectorAll("form[method='post']").forEach(function (f) {
    f.addEventListener("submit", function () {
      // Disable after the browser has collected the form data: a button disabled during the
      // submit event would drop its own name/value (e.g. action=submit) from the request.
      setTimeout(function () {
        f.querySelectorAll("button[type='submit']").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
})();
