/* The article form's writing aids: a live preview of the body rendered by
   the server (the same code as the public page), word count and reading
   time, a warning before leaving with unsaved changes, and an autosaved
   working copy that readers never see. A static file, so the content
   security policy allows it; no inline script. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(url, form, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (!response.ok) {
        var error = new Error(response.status + " " + response.statusText);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  ready(function () {
    var config = document.getElementById("article-editor");
    var body = document.getElementById("id_body");
    if (!config || !body) return;
    var form = body.form;
    var article = config.dataset.article || "";

    // --- Live preview, word count and reading time -------------------------
    var row = body.closest(".form-row") || body.parentNode;
    row.classList.add("with-preview");
    var stats = document.createElement("p");
    stats.id = "body-stats";
    stats.className = "body-stats";
    stats.setAttribute("aria-live", "polite");
    body.insertAdjacentElement("afterend", stats);
    var pane = document.createElement("section");
    pane.className = "body-preview";
    pane.setAttribute("aria-labelledby", "body-preview-heading");
    pane.innerHTML =
      '<h2 id="body-preview-heading">Preview</h2>' +
      '<p class="body-preview-note">As readers will see the body, rendered by the site.</p>' +
      '<div class="prose" id="body-preview"></div>';
    row.appendChild(pane);
    var preview = pane.querySelector("#body-preview");

    function showStats(words, minutes) {
      stats.textContent =
        words.toLocaleString() + (words === 1 ? " word" : " words") +
        " · " + minutes + " min read";
    }

    // Counted as the server counts (articles.models): instantly while typing,
    // then confirmed by the preview's answer.
    var WORD = /[\p{L}\p{N}_]+(?:['’-][\p{L}\p{N}_]+)*/gu;
    var perMinute = parseInt(config.dataset.wordsPerMinute, 10) || 230;
    function countNow() {
      // Link and picture addresses are not prose (as on the server).
      var prose = body.value.replace(/\]\([^)]*\)/g, "]");
      var words = (prose.match(WORD) || []).length;
      showStats(words, Math.max(1, Math.ceil(words / perMinute)));
    }

    // Answers can arrive out of order (the server answers requests in
    // parallel): only the answer to the latest request is shown, so an
    // older, slower one never replaces the preview of newer text.
    var latest = 0;
    function refresh() {
      var asked = ++latest;
      var data = new FormData();
      data.append("body", body.value);
      data.append("article", article);
      post(config.dataset.previewUrl, form, data)
        .then(function (answer) {
          if (asked !== latest) return;
          preview.innerHTML = answer.html; // sanitised by the server
          showStats(answer.words, answer.minutes);
        })
        .catch(function () {
          if (asked !== latest) return;
          preview.textContent = "The preview could not be updated.";
        });
    }
    var refreshSoon = debounce(refresh, 400);
    body.addEventListener("input", function () {
      countNow();
      refreshSoon();
    });
    countNow();
    refresh();

    // --- How much of a limited field is used --------------------------------
    ["id_meta_description", "id_title"].forEach(function (id) {
      var field = document.getElementById(id);
      var limit = field && parseInt(field.getAttribute("maxlength"), 10);
      if (!limit) return;
      var count = document.createElement("p");
      count.className = "help character-count";
      count.id = id + "_count";
      field.insertAdjacentElement("afterend", count);
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + count.id);
      var show = function () {
        count.textContent = field.value.length + " of " + limit + " characters";
      };
      field.addEventListener("input", show);
      field.addEventListener("change", show); // a restored working copy
      show();
    });

    // --- Defaults shown where a field is left empty ------------------------
    var standfirst = document.getElementById("id_standfirst");
    var description = document.getElementById("id_meta_description");
    if (standfirst && description) {
      var mirror = function () {
        description.placeholder = standfirst.value
          ? "Left empty: " + standfirst.value.slice(0, 280)
          : "";
      };
      standfirst.addEventListener("input", mirror);
      mirror();
    }

    // --- Ask before a step that takes the article off the site ------------
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-confirm]");
      if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
    });

    // --- Warn before leaving with unsaved changes --------------------------
    var dirty = false;
    var changedSinceAutosave = false;
    function markDirty() {
      dirty = true;
      changedSinceAutosave = true;
    }
    // A form shown again with its errors holds what was typed, unsaved.
    if (document.querySelector(".errornote")) markDirty();
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function () {
      dirty = false;
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return undefined;
      event.preventDefault();
      event.returnValue = "";
      return "";
    });

    // --- Restore an autosaved working copy ---------------------------------
    var restore = document.getElementById("restore-working-copy");
    var saved = document.getElementById("working-copy-fields");
    var savedLabels = document.getElementById("working-copy-labels");
    if (restore && saved) {
      restore.addEventListener("click", function () {
        var fields = JSON.parse(saved.textContent);
        var labels = savedLabels ? JSON.parse(savedLabels.textContent) : {};
        var lost = 0;
        Object.keys(fields).forEach(function (name) {
          var field = form.elements.namedItem(name);
          if (!field || field.type === "hidden") return;
          if (field.tagName === "SELECT") {
            // A picture or topic chosen through an autocomplete has no
            // option on this page yet: add it, named as the library names it.
            // One deleted since (no name) cannot come back: a single choice
            // then stays as saved; a list keeps the rest.
            var named = labels[name] || {};
            var wanted = [].concat(fields[name] || []).map(String).filter(function (value) {
              if (!value) return true;
              if (field.querySelector('option[value="' + CSS.escape(value) + '"]')) return true;
              if (named[value]) {
                field.add(new Option(named[value], value));
                return true;
              }
              lost += 1;
              return false;
            });
            if (!field.multiple && !wanted.length && fields[name]) return;
            Array.prototype.forEach.call(field.options, function (option) {
              option.selected = wanted.indexOf(option.value) !== -1;
            });
          } else {
            field.value = fields[name];
          }
          field.dispatchEvent(new Event("change", { bubbles: true }));
        });
        markDirty();
        countNow();
        refresh();
        restore.closest(".working-copy").querySelector("p").textContent =
          "Your autosaved changes are back in the form" +
          (lost ? ", except " + lost + " picture(s) or topic(s) deleted since" : "") +
          ". Save to keep them.";
        restore.remove();
      });
    }

    // --- Autosave a working copy -------------------------------------------
    var status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    stats.insertAdjacentElement("afterend", status);
    var seconds = parseInt(config.dataset.autosaveSeconds, 10) || 30;
    var stopped = false;
    form.addEventListener("submit", function () {
      stopped = true; // the save itself keeps the text from here
    });
    setInterval(function () {
      if (stopped || !changedSinceAutosave) return;
      changedSinceAutosave = false;
      var data = new FormData(form);
      data.set("article", article);
      post(config.dataset.autosaveUrl, form, data)
        .then(function (answer) {
          status.textContent =
            "Working copy autosaved at " + answer.saved_at +
            ". Readers see the article as last saved.";
        })
        .catch(function (error) {
          if (error.status === 409) {
            stopped = true;
            status.textContent =
              "This article was saved elsewhere since you opened it; autosave " +
              "has stopped. Your text is still here: copy it, then reload.";
            return;
          }
          changedSinceAutosave = true;
          status.textContent = "Autosave failed; your text is still here.";
        });
    }, seconds * 1000);
  });
})();
