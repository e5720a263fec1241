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
  // Avoid double submissions.
  document.querySelectorAll("form[method='post']").forEach(function (f) {
    f.addEventListener("submit", function () {
      f.querySelectorAll("button[type='submit']").forEach(function (b) { b.disabled = true; });
    });
  });
})();
