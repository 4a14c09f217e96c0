// Goal check-ins without a signal. Loaded by client.js for a signed-in person; works on every
// check-in form (goals/_check_in.html, marked data-offline-check-in), also after htmx swaps one in.
//
// - Each form shown gets its own UUID when it is first sent (a kept copy of the page is not
//   reused under an old one); sending the same form twice sends the same UUID, stored once.
// - Online, the form is sent as usual (htmx, or a plain form). Offline, the check-in goes into the
//   outbox before any network attempt; if the POST cannot reach Capable, it goes there too.
// - The outbox sends it to POST /api/check-ins like questionnaire answers (see outbox.js).
(function () {
  "use strict";

  var FORM = "form[data-offline-check-in]";
  var offline = window.CapableOffline;

  function field(form, name) {
    return form.querySelector("[name='" + name + "']");
  }

  function ownUuid(form) {
    var input = field(form, "uuid");
    if (input && !form.hasAttribute("data-uuid-fresh") && window.crypto && crypto.randomUUID) {
      input.value = crypto.randomUUID();
      form.setAttribute("data-uuid-fresh", "");
    }
    return input ? input.value : "";
  }

  function read(form) {
    var data = new FormData(form);
    function value(name) {
      var text = (data.get(name) || "").trim();
      return text || null;
    }
    var confidence = value("confidence");
    return {
      uuid: ownUuid(form),
      goal: form.getAttribute("data-goal"),
      outcome: value("outcome"),
      helped: value("helped"),
      got_in_the_way: value("got_in_the_way"),
      confidence: confidence === null ? null : Number(confidence),
      next_step: value("next_step"),
      next_check_in_on: value("next_check_in_on"),
    };
  }

  function today() {
    var now = new Date();
    return [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
  }

  // Only what is missing, with the server's own messages; the server checks everything again.
  function problems(form, values) {
    var messages = JSON.parse(form.querySelector("[data-check-in-messages]").textContent);
    var found = [];
    ["outcome", "confidence", "next_step"].forEach(function (name) {
      if (values[name] === null) found.push({ name: name, text: messages[name] });
    });
    if (values.next_step === "keep" && !values.next_check_in_on) {
      found.push({ name: "next_check_in_on", text: messages.next_check_in_on });
    } else if (values.next_check_in_on && values.next_check_in_on < today()) {
      found.push({ name: "next_check_in_on", text: messages.in_the_past });
    }
    return { title: messages.problem, list: found };
  }

  function showProblems(form, found) {
    var box = form.parentNode.querySelector("[data-check-in-errors]");
    box.textContent = "";
    var list = offline.el("ul", { "class": "nhsuk-list nhsuk-error-summary__list" }, found.list.map(function (problem) {
      var input = field(form, problem.name);
      return offline.el("li", {}, [offline.el("a", { href: "#" + (input ? input.id : problem.name), text: problem.text })]);
    }));
    var summary = offline.el("div", { "class": "nhsuk-error-summary", tabindex: "-1" }, [
      offline.el("div", { role: "alert" }, [
        offline.el("h2", { "class": "nhsuk-error-summary__heading", text: found.title }),
        offline.el("div", { "class": "nhsuk-error-summary__body" }, [list]),
      ]),
    ]);
    box.appendChild(summary);
    summary.focus();
    window.scrollTo(0, 0);
  }

  // The question and the answer as the person saw them, for "View the answers" on /outbox.
  function summaryRows(form, values) {
    return ["outcome", "helped", "got_in_the_way", "confidence", "next_step", "next_check_in_on"].map(function (name) {
      var input = field(form, name);
      var group = input && input.closest(".nhsuk-form-group");
      var question = group ? group.querySelector("legend, label") : null;
      var answer = values[name];
      if (input && input.type === "radio") {
        var chosen = form.querySelector("[name='" + name + "']:checked");
        var label = chosen ? form.querySelector("label[for='" + chosen.id + "']") : null;
        answer = label ? label.textContent.trim() : answer;
      }
      return [question ? question.textContent.trim() : name, answer === null ? "" : String(answer)];
    });
  }

  function showSaved(form, uuid) {
    var screen = form.closest("[data-check-in-screen]");
    var template = screen.parentNode.querySelector("template[data-check-in-saved]");
    var saved = template.content.firstElementChild.cloneNode(true);
    saved.setAttribute("data-check-in-uuid", uuid);
    screen.parentNode.replaceChild(saved, screen);
    var heading = saved.querySelector("h1");
    document.title = heading.textContent.trim() + " – " + document.title.split(" – ").pop();
    heading.focus();
    window.scrollTo(0, 0);
  }

  function showReceipt(receipt) {
    if (!receipt || receipt.kind !== "check-in") return;
    var saved = document.querySelector("[data-check-in-uuid='" + receipt.uuid + "']");
    var template = document.querySelector("template[data-check-in-sent]");
    if (!saved || !template) return;
    var status = saved.querySelector("[data-check-in-status]");
    var content = template.content.cloneNode(true);
    content.querySelector("[data-check-in-next]").setAttribute("href", receipt.next_url);
    status.textContent = "";
    status.appendChild(content);
  }

  // Into the outbox (before any network attempt), then show "Saved on this phone".
  function keep(form) {
    var values = read(form);
    var found = problems(form, values);
    if (found.list.length) {
      showProblems(form, found);
      return Promise.resolve();
    }
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    var item = Object.assign({
      kind: "check-in",
      title: form.getAttribute("data-outbox-title"),
      authored_at: new Date().toISOString(),
      summary: summaryRows(form, values),
    }, values);
    return offline.outbox.add(item).then(function () {
      showSaved(form, item.uuid);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches(FORM)) return;
    ownUuid(form);
    if (navigator.onLine !== false) return;  // online: sent as usual, and kept below if that fails
    event.preventDefault();
    event.stopImmediatePropagation();  // htmx must not try the network first
    keep(form);
  }, true);

  // htmx could not reach Capable (no answer at all): keep the check-in on this phone instead.
  document.addEventListener("htmx:error", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var form = ctx && ctx.sourceElement;
    if (!form || !form.matches || !form.matches(FORM) || ctx.response || !form.isConnected) return;
    keep(form);
  });

  window.addEventListener("capable:outbox", function (event) {
    if (event.detail && event.detail.receipt) showReceipt(event.detail.receipt);
  });
})();
