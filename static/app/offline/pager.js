// The offline questionnaire page: one <section> per screen, shown one at a time, with the same
// progress caption, Back, Continue, check your answers and Send as the online screens. Every
// answer is saved in IndexedDB as it is given, under the response's UUID; reopening the page
// carries on at the same screen. Send puts the response in the outbox before any network attempt.
// The draft's answers, as the server reads them, go to the server too when online (drafts.js),
// so it carries on on another device; a phone with no draft of its own starts, when online, from
// the draft the person saved elsewhere (GET /api/drafts?questionnaire=<id>).
(function () {
  "use strict";

  var root = document.getElementById("app-offline-questionnaire");
  if (!root) return;
  var rules = window.CapableEnableWhen;
  var definition = JSON.parse(document.getElementById("app-offline-definition").textContent);
  var strings = JSON.parse(document.getElementById("app-offline-strings").textContent);
  var sections = Array.prototype.slice.call(root.querySelectorAll("section[data-screen]"));
  var pagesById = {};
  definition.pages.forEach(function (page) { pagesById[page.linkId] = page; });
  var offline;       // window.CapableOffline once ready
  var user;
  var draft = null;  // {uuid, questionnaire, version, raw: {linkId: [values]}, screen, changing, started_at}
  var current = "start";
  var markLoaded;
  var loaded = new Promise(function (resolve) { markLoaded = resolve; });  // the draft, if any, is found

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function section(screen) {
    return sections.filter(function (s) {
      return screen === "start" || screen === "check" || screen === "sent"
        ? s.getAttribute("data-screen") === screen
        : s.getAttribute("data-page") === screen;
    })[0];
  }

  // --- Answers: form values as given (raw) and as the server would read them -------------------

  function readRaw(linkId) {
    var form = root.querySelectorAll("[name='" + linkId + "']");
    var values = [];
    Array.prototype.forEach.call(form, function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value !== "") {
        values.push(input.value);
      }
    });
    return values;
  }

  function writeRaw(linkId, values) {
    Array.prototype.forEach.call(root.querySelectorAll("[name='" + linkId + "']"), function (input) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = values.indexOf(input.value) !== -1;
      else input.value = values[0] || "";
    });
  }

  // The same rules as Questionnaire.parse_answer: returns {value} or {error: code}.
  function parse(item, raw) {
    if (item.type === "text") {
      var text = (raw.filter(function (v) { return v.trim(); })[0] || "").replace(/\r\n?/g, "\n").trim();
      if (!text) return item.required ? { error: "required" } : { value: null };
      return text.length > item.max_length ? { error: "too_long" } : { value: text };
    }
    var values = raw.map(function (v) { return v.trim(); }).filter(Boolean);
    if (!values.length) return item.required ? { error: "required" } : { value: null };
    var codes = item.options.map(function (o) { return o.code; });
    if (item.type === "choice" && item.repeats) {
      if (values.some(function (v) { return codes.indexOf(v) === -1; })) return { error: "not_an_option" };
      return { value: codes.filter(function (code) { return values.indexOf(code) !== -1; }) };
    }
    if (values.length > 1) return { error: "not_an_option" };
    var value = values[0];
    if (item.type === "choice") return codes.indexOf(value) !== -1 ? { value: value } : { error: "not_an_option" };
    if (item.type === "boolean") {
      var lowered = value.toLowerCase();
      if (lowered === "yes" || lowered === "true") return { value: true };
      if (lowered === "no" || lowered === "false") return { value: false };
      return { error: "not_an_option" };
    }
    var integer = /^[+-]?[0-9]+$/.test(value);
    if (item.type === "scale" && !integer) {
      var option = item.options.filter(function (o) { return o.code === value; })[0];
      return option && option.not_applicable ? { value: option.code } : { error: "not_an_option" };
    }
    if (!integer) return { error: "not_a_number" };
    var number = parseInt(value, 10);
    if ((item.min !== null && number < item.min) || (item.max !== null && number > item.max)) return { error: "out_of_range" };
    return { value: number };
  }

  // Answers as values, leaving out anything that does not parse (it is not an answer yet).
  function answers() {
    var result = {};
    Object.keys(draft ? draft.raw : {}).forEach(function (linkId) {
      var item = definition.items[linkId];
      if (!item) return;
      var parsed = parse(item, draft.raw[linkId]);
      if (!parsed.error && parsed.value !== null) result[linkId] = parsed.value;
    });
    return result;
  }

  function enabledPages() {
    return rules.enabledPages(definition, answers());
  }

  // Stable JSON of an answers object, to tell whether the answers really changed.
  function fingerprint(values) {
    return JSON.stringify(values, Object.keys(values).sort());
  }

  function save() {
    var values = rules.cleanAnswers(definition, answers());
    if (!draft.answers || fingerprint(draft.answers) !== fingerprint(values)) {
      draft.answers = values;
      draft.answers_at = new Date().toISOString();
    }
    var saving = offline.store.saveDraft(user, draft);
    saving.then(function () { if (offline.drafts) offline.drafts.changed(); }, function () {});
    return saving;
  }

  function remember(event) {
    var field = event.target;
    if (!draft || !field.name || !definition.items[field.name]) return;
    draft.raw[field.name] = readRaw(field.name);
    save();
  }

  // --- Showing screens ------------------------------------------------------------------------

  function show(screen, options) {
    current = screen;
    sections.forEach(function (s) { s.hidden = s !== section(screen); });
    var shown = section(screen);
    var title = definition.title;
    if (pagesById[screen]) {
      prepareQuestionScreen(shown, pagesById[screen]);
      title = pagesById[screen].text + " – " + definition.title;
    } else if (screen === "check") {
      prepareCheck(shown);
      title = strings.check + " – " + definition.title;
    }
    document.title = title + " – " + strings.capable;
    if (draft && screen !== "sent") {
      draft.screen = screen;
      save();
    }
    if (!options || options.focus !== false) focusHeading(shown);
  }

  function focusHeading(shown) {
    var target = shown.querySelector(".nhsuk-error-summary") ||
      shown.querySelector("legend h1, label h1, h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function prepareQuestionScreen(shown, page) {
    var pages = enabledPages();
    var number = pages.map(function (p) { return p.linkId; }).indexOf(page.linkId) + 1;
    var caption = shown.querySelector(".app-question-progress, h1 .nhsuk-caption-l, .nhsuk-caption-l");
    if (caption) caption.textContent = fill(root.getAttribute("data-progress"), { number: number || 1, total: pages.length });
    var enabled = rules.enabledMap(definition, answers());
    Array.prototype.forEach.call(shown.querySelectorAll("[data-child]"), function (child) {
      child.hidden = !enabled[child.getAttribute("data-child")];
    });
    var button = shown.querySelector("[data-continue]");
    if (button) button.textContent = draft && draft.changing ? strings.save_and_back : strings["continue"];
    clearErrors(shown);
  }

  // --- Errors, marked up as NHS.UK frontend does -----------------------------------------------

  function clearErrors(shown) {
    shown.querySelector("[data-errors]").textContent = "";
    Array.prototype.forEach.call(shown.querySelectorAll(".nhsuk-form-group--error"), function (group) {
      group.classList.remove("nhsuk-form-group--error");
    });
    Array.prototype.forEach.call(shown.querySelectorAll(".nhsuk-error-message[data-offline]"), function (message) {
      var described = message.parentNode.querySelector("[aria-describedby]");
      if (described) {
        var ids = described.getAttribute("aria-describedby").split(" ").filter(function (id) { return id !== message.id; });
        if (ids.length) described.setAttribute("aria-describedby", ids.join(" "));
        else described.removeAttribute("aria-describedby");
      }
      message.remove();
    });
    Array.prototype.forEach.call(shown.querySelectorAll(".nhsuk-input--error, .nhsuk-textarea--error"), function (input) {
      input.classList.remove("nhsuk-input--error", "nhsuk-textarea--error");
    });
  }

  function errorSummary(title, entries) {
    var list = offline.el("ul", { "class": "nhsuk-list nhsuk-error-summary__list" }, entries.map(function (entry) {
      return offline.el("li", {}, [offline.el("a", { href: entry.href, text: entry.text })]);
    }));
    return offline.el("div", { "class": "nhsuk-error-summary", "data-module": "nhsuk-error-summary" }, [
      offline.el("div", { role: "alert" }, [
        offline.el("h2", { "class": "nhsuk-error-summary__heading", text: title }),
        offline.el("div", { "class": "nhsuk-error-summary__body" }, [list]),
      ]),
    ]);
  }

  function showErrors(shown, page, errors) {
    var entries = [];
    page.questions.forEach(function (linkId) {
      if (!errors[linkId]) return;
      var item = definition.items[linkId];
      var message = item.messages[errors[linkId]];
      entries.push({ href: "#" + linkId, text: page.group ? fill(strings.group_error, { question: item.text, message: message }) : message });
      var scope = shown.querySelector(".app-item[data-link-id='" + linkId + "']");
      var group = scope.querySelector(".nhsuk-form-group");
      group.classList.add("nhsuk-form-group--error");
      var error = offline.el("span", { "class": "nhsuk-error-message", id: linkId + "-error", "data-offline": "" }, [
        offline.el("span", { "class": "nhsuk-u-visually-hidden", text: offline.msg("pager.error_prefix") + " " }),
        document.createTextNode(message),
      ]);
      var fieldset = group.querySelector("fieldset");
      var anchor = group.querySelector(".nhsuk-radios, .nhsuk-checkboxes, input, textarea");
      var parent = fieldset && anchor && fieldset.contains(anchor) ? fieldset : group;
      var before = anchor && parent.contains(anchor) ? anchor : null;
      while (before && before.parentNode !== parent) before = before.parentNode;
      parent.insertBefore(error, before);
      var described = fieldset || group.querySelector("input, textarea");
      if (described) {
        var ids = (described.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        ids.push(error.id);
        described.setAttribute("aria-describedby", ids.join(" "));
      }
      var input = group.querySelector("input.nhsuk-input, textarea");
      if (input) input.classList.add(input.tagName === "TEXTAREA" ? "nhsuk-textarea--error" : "nhsuk-input--error");
    });
    shown.querySelector("[data-errors]").appendChild(errorSummary(strings.problem, entries));
    focusHeading(shown);
  }

  // --- Moving on ------------------------------------------------------------------------------

  function next(page) {
    var shown = section(page.linkId);
    var enabled = rules.enabledMap(definition, answers());
    var errors = {};
    page.questions.forEach(function (linkId) {
      if (!enabled[linkId]) return;
      draft.raw[linkId] = readRaw(linkId);
      var parsed = parse(definition.items[linkId], draft.raw[linkId]);
      if (parsed.error) errors[linkId] = parsed.error;
    });
    clearErrors(shown);
    if (Object.keys(errors).length) {
      save();
      showErrors(shown, page, errors);
      return;
    }
    var values = answers();
    var pages = rules.enabledPages(definition, values);
    var following;
    if (draft.changing) {
      following = firstUnanswered(pages, values);
    } else {
      var index = definition.pages.indexOf(page);
      following = pages.filter(function (p) { return definition.pages.indexOf(p) > index; })[0];
    }
    if (!following) draft.changing = false;
    show(following ? following.linkId : "check");
  }

  function firstUnanswered(pages, values) {
    var enabled = rules.enabledMap(definition, values);
    return pages.filter(function (page) {
      return page.questions.some(function (id) {
        return definition.items[id].required && enabled[id] && values[id] === undefined;
      });
    })[0];
  }

  function back() {
    if (current === "check" || (draft && draft.changing)) {
      if (draft.changing) { draft.changing = false; show("check"); return; }
      var pages = enabledPages();
      show(pages.length ? pages[pages.length - 1].linkId : "start");
      return;
    }
    var all = enabledPages();
    var index = definition.pages.indexOf(pagesById[current]);
    var earlier = all.filter(function (p) { return definition.pages.indexOf(p) < index; });
    show(earlier.length ? earlier[earlier.length - 1].linkId : "start");
  }

  // --- Check your answers and send ---------------------------------------------------------------

  function display(item, value) {
    if (value === undefined || value === null) return "";
    if (item.type === "boolean") return value ? strings.yes : strings.no;
    if (item.options.length) {
      var codes = Array.isArray(value) ? value : [value];
      var texts = codes.map(function (code) {
        var option = item.options.filter(function (o) { return o.code === code; })[0];
        return option ? option.text : null;
      }).filter(Boolean);
      if (texts.length) return texts.join(", ");
    }
    return String(value);
  }

  function summaryRows() {
    var values = rules.cleanAnswers(definition, answers());
    var enabled = rules.enabledMap(definition, values);
    var rows = [];
    rules.enabledPages(definition, values).forEach(function (page) {
      page.questions.forEach(function (id) {
        if (!enabled[id]) return;
        var item = definition.items[id];
        rows.push({ page: page, id: id, question: item.text, answer: display(item, values[id]) });
      });
    });
    return rows;
  }

  function prepareCheck(shown) {
    clearErrors(shown);
    var list = shown.querySelector("[data-summary]");
    list.textContent = "";
    summaryRows().forEach(function (row) {
      var key = offline.el("dt", { "class": "nhsuk-summary-list__key" });
      if (row.page.group) key.appendChild(offline.el("span", { "class": "nhsuk-u-secondary-text-colour", text: row.page.text + ":" }));
      key.appendChild(document.createTextNode((row.page.group ? " " : "") + row.question));
      var value = offline.el("dd", { "class": "nhsuk-summary-list__value" });
      if (row.answer) value.textContent = row.answer;
      else value.appendChild(offline.el("span", { "class": "nhsuk-u-secondary-text-colour", text: strings.not_answered }));
      var link = offline.el("a", { href: "#" + row.page.linkId }, [
        document.createTextNode(strings.change),
        offline.el("span", { "class": "nhsuk-u-visually-hidden", text: " " + fill(strings.change_hidden, { question: row.question }) }),
      ]);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        draft.changing = true;
        show(row.page.linkId);
      });
      list.appendChild(offline.el("div", { "class": "nhsuk-summary-list__row" }, [
        key, value, offline.el("dd", { "class": "nhsuk-summary-list__actions" }, [link]),
      ]));
    });
  }

  function send(button) {
    var values = rules.cleanAnswers(definition, answers());
    var missing = rules.missingRequired(definition, values);
    var shown = section("check");
    clearErrors(shown);
    if (missing.length) {
      shown.querySelector("[data-errors]").appendChild(errorSummary(strings.missing, missing.map(function (id) {
        var page = definition.pages.filter(function (p) { return p.questions.indexOf(id) !== -1; })[0];
        return { href: "#" + page.linkId, text: fill(strings.answer_prefix, { question: definition.items[id].text }) };
      })));
      Array.prototype.forEach.call(shown.querySelectorAll(".nhsuk-error-summary a"), function (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          draft.changing = true;
          show(link.getAttribute("href").slice(1));
        });
      });
      focusHeading(shown);
      return;
    }
    button.disabled = true;
    var item = {
      uuid: draft.uuid,
      questionnaire: definition.id,
      version: definition.version,
      title: definition.title,
      authored_at: new Date().toISOString(),
      answers: values,
      summary: summaryRows().map(function (row) { return [row.question, row.answer]; }),
    };
    var sentUuid = draft.uuid;
    // Into the outbox (and the draft out) first; only then is anything sent.
    offline.outbox.add(item).then(function () {
      draft = null;
      root.setAttribute("data-sent-uuid", sentUuid);
      showSignposts(values);
      show("sent");
      button.disabled = false;
    });
  }

  // Help that the answers call for (the questionnaire's signposts), as the results page shows it.
  function showSignposts(values) {
    (definition.signposts || []).forEach(function (signpost) {
      var box = section("sent").querySelector('[data-offline-signpost="' + signpost.id + '"]');
      if (box) box.hidden = !rules.enableWhenHolds(signpost.enable_when, signpost.enable_behavior, values, definition.items);
    });
  }

  function showReceipt(receipt) {
    if (!receipt || receipt.uuid !== root.getAttribute("data-sent-uuid")) return;
    var status = section("sent").querySelector("[data-sent-status]");
    var content = root.querySelector("[data-sent-template]").content.cloneNode(true);
    content.querySelector("[data-results-link]").setAttribute("href", receipt.results_url);
    status.textContent = "";
    status.appendChild(content);
  }

  // --- Starting and resuming ---------------------------------------------------------------------

  function startNew() {
    draft = {
      uuid: crypto.randomUUID(),
      questionnaire: definition.id,
      version: definition.version,
      raw: {},
      screen: "start",
      changing: false,
      started_at: new Date().toISOString(),
    };
    var pages = enabledPages();
    save().then(function () { show(pages.length ? pages[0].linkId : "check"); });
  }

  function resume(found) {
    draft = found;
    Object.keys(draft.raw).forEach(function (linkId) { writeRaw(linkId, draft.raw[linkId]); });
    var screen = draft.screen;
    if (screen !== "check" && !(pagesById[screen] && enabledPages().indexOf(pagesById[screen]) !== -1)) {
      screen = draft.screen === "start" ? "start" : "check";
    }
    if (screen === "start") {
      var notice = section("start").querySelector("[data-draft-notice]");
      notice.className = "nhsuk-inset-text";
      notice.textContent = fill(strings.started, { date: new Date(draft.started_at).toLocaleDateString(offline.locale(), { day: "numeric", month: "long", year: "numeric" }) });
      notice.hidden = false;
    }
    show(screen);
  }

  function wire() {
    root.addEventListener("change", remember);
    root.addEventListener("input", remember);
    sections.forEach(function (shown) {
      var form = shown.querySelector("[data-page-form]");
      if (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          next(pagesById[shown.getAttribute("data-page")]);
        });
      }
      Array.prototype.forEach.call(shown.querySelectorAll("[data-back]"), function (link) {
        link.addEventListener("click", function (event) { event.preventDefault(); back(); });
      });
    });
    var start = root.querySelector("[data-start]");
    start.hidden = false;
    start.addEventListener("click", function () {
      loaded.then(function () {
        if (draft) show(draft.screen !== "start" ? draft.screen : (enabledPages()[0] || {}).linkId || "check");
        else startNew();
      });
    });
    var sendButton = root.querySelector("[data-send]");
    sendButton.addEventListener("click", function () { send(sendButton); });
    window.addEventListener("capable:outbox", function (event) {
      if (event.detail && event.detail.receipt) showReceipt(event.detail.receipt);
    });
    window.addEventListener("capable:draft", function (event) {
      if (!draft || !event.detail || event.detail.uuid !== draft.uuid || event.detail.state !== "saved") return;
      Array.prototype.forEach.call(root.querySelectorAll("[data-draft-synced]"), function (note) {
        note.textContent = offline.msg("pager.saved_to_account");
        note.hidden = false;
      });
      root.setAttribute("data-draft-synced", draft.uuid);
    });
  }

  // --- A draft saved on another device --------------------------------------------------------

  // The answer as the form holds it: the inverse of parse() for a valid value.
  function toRaw(item, value) {
    if (Array.isArray(value)) return value.map(String);
    if (item.type === "boolean") return [value ? "yes" : "no"];
    return [String(value)];
  }

  // Online, with no draft on this phone: the person's newest draft on the server, if any (else null).
  function serverDraft() {
    if (navigator.onLine === false || !window.fetch) return Promise.resolve(null);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, 8000);
    return fetch(root.getAttribute("data-drafts"), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).catch(function () { return null; }).then(function (body) {
      clearTimeout(timer);
      var found = body && body.draft;
      return found && found.uuid && found.answers ? found : null;
    });
  }

  function adopt(found) {
    var raw = {};
    Object.keys(found.answers).forEach(function (linkId) {
      var item = definition.items[linkId];
      if (item) raw[linkId] = toRaw(item, found.answers[linkId]);
    });
    var adopted = {
      uuid: found.uuid,
      questionnaire: definition.id,
      version: definition.version,
      raw: raw,
      screen: "check",
      changing: false,
      started_at: found.started_at || new Date().toISOString(),
      answers: found.answers,
      answers_at: found.saved_at,
    };
    draft = adopted;
    var values = answers();
    var pages = rules.enabledPages(definition, values);
    var next = Object.keys(values).length ? firstUnanswered(pages, values) : pages[0];
    adopted.screen = next ? next.linkId : "check";
    draft = null;
    // Kept here as the server has it, and marked as already saved there (nothing to send).
    return offline.store.saveDraft(user, adopted).then(function () {
      return offline.store.putDraftSync(user, { uuid: adopted.uuid, saved_at: adopted.answers_at, state: "saved" });
    }).then(function () { return adopted; });
  }

  window.CapableOffline.ready.then(function (ready) {
    offline = ready;
    user = ready.config.user;
    wire();
    return offline.store.draftsFor(user, definition.id);
  }).then(function (drafts) {
    if (drafts.length) return drafts;
    return serverDraft().then(function (found) {
      if (!found) return [];
      // A draft of another version carries on with that version's page (which fetches it again).
      if (found.version !== definition.version) return [{ version: found.version }];
      return adopt(found).then(function (adopted) { return [adopted]; });
    });
  }).then(function (drafts) {
    drafts.sort(function (a, b) { return (b.updated_at || "").localeCompare(a.updated_at || ""); });
    var other = drafts.filter(function (d) { return d.version !== definition.version; })[0];
    var mine = drafts.filter(function (d) { return d.version === definition.version; })[0];
    if (!mine && other) {
      // A draft started on another version carries on with that version's page.
      window.location.replace("/offline/questionnaires/" + encodeURIComponent(definition.id) + "/" + encodeURIComponent(other.version));
      return;
    }
    if (mine) resume(mine);
    else root.querySelector("[data-start]").focus();
    markLoaded();
    root.setAttribute("data-ready", "true");
  });
})();
