"use strict";
// Swagger UI draws a parameter's choices as a <select> with no name of its
// own (the parameter's name is in the row's first cell), and examples in
// boxes that scroll sideways but take no focus. Whenever Swagger UI draws:
// name each choice after its parameter, and let the keyboard reach (and a
// screen reader name) each example box, as the site's own tables do.
(function () {
  function nameControls(root) {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(
      function (select) {
        const row = select.closest("tr[data-param-name]");
        select.setAttribute("aria-label", row.getAttribute("data-param-name"));
      },
    );
    root.querySelectorAll(".highlight-code > pre:not([tabindex])").forEach(
      function (example) {
        example.setAttribute("tabindex", "0");
        example.setAttribute("aria-label", "Example");
      },
    );
  }
  const target = document.getElementById("swagger-ui");
  new MutationObserver(function () {
    nameControls(target);
  }).observe(target, { childList: true, subtree: true });
})();
