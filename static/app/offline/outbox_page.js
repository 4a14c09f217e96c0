// The /outbox page: each response or goal check-in saved on this phone and not sent yet, with its
// answers, a download of it as a JSON file, and deletion only after a confirmation dialog.
(function () {
  "use strict";

  var list = document.getElementById("app-outbox-list");
  if (!list) return;
  var summary = document.getElementById("app-outbox-summary");
  var sentList = document.getElementById("app-outbox-sent");
  var sendNow = document.querySelector("[data-outbox-send-now]");
  var dialog = document.getElementById("app-outbox-delete");
  var offline;
  var pendingDelete = null;

  // Every word comes from the translation catalogue, through client.js (msg, msgPlural).
  function stateText(item) {
    var msg = offline.msg;
    if (item.kind === "check-in" && item.state === "conflict") return msg("outbox.check_in_conflict");
    if (item.kind === "check-in" && item.state === "rejected") return msg("outbox.check_in_rejected");
    if (item.state === "signed-out") return msg("outbox.state_signed_out");
    if (item.state === "conflict") return msg("outbox.state_conflict");
    if (item.state === "rejected") return msg("outbox.state_rejected");
    return msg("outbox.state_waiting");
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString(offline.locale(), { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit" }) : "";
  }

  function download(item) {
    var body = JSON.stringify(window.CapableOutbox.payload(item), null, 2);
    var name = item.kind === "check-in" ? "check-in" : item.questionnaire;
    var link = offline.el("a", { href: URL.createObjectURL(new Blob([body], { type: "application/json" })),
                                 download: "capable-" + name + "-" + item.uuid + ".json" });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function render() {
    return offline.outbox.items().then(function (items) {
      list.textContent = "";
      summary.textContent = items.length === 0 ? offline.msg("outbox.nothing") : offline.msgPlural("outbox.waiting", items.length);
      sendNow.hidden = items.length === 0;
      items.forEach(function (item) {
        var title = offline.msg("outbox.item_title", { title: item.title || item.questionnaire, date: when(item.authored_at) });
        var answers = offline.el("dl", { "class": "nhsuk-summary-list" }, (item.summary || []).map(function (row) {
          return offline.el("div", { "class": "nhsuk-summary-list__row" }, [
            offline.el("dt", { "class": "nhsuk-summary-list__key", text: row[0] }),
            offline.el("dd", { "class": "nhsuk-summary-list__value", text: row[1] || offline.msg("outbox.not_answered") }),
          ]);
        }));
        var details = offline.el("details", { "class": "nhsuk-details" }, [
          offline.el("summary", { "class": "nhsuk-details__summary" }, [
            offline.el("span", { "class": "nhsuk-details__summary-text", text: offline.msg("outbox.view") }),
          ]),
          offline.el("div", { "class": "nhsuk-details__text" }, [answers]),
        ]);
        var downloadButton = offline.el("button", { type: "button", "class": "nhsuk-button nhsuk-button--secondary", text: offline.msg("outbox.download") });
        downloadButton.addEventListener("click", function () { download(item); });
        var deleteButton = offline.el("button", { type: "button", "class": "nhsuk-button nhsuk-button--warning", text: offline.msg("outbox.delete") });
        deleteButton.addEventListener("click", function () {
          pendingDelete = item;
          dialog.querySelector("[data-delete-what]").textContent = title;
          dialog.showModal();
          dialog.querySelector("[data-delete-cancel]").focus();
        });
        var state = stateText(item);
        list.appendChild(offline.el("li", { "class": "app-outbox-item", "data-uuid": item.uuid, "data-state": item.state || "waiting" }, [
          offline.el("h2", { "class": "nhsuk-heading-m", text: title }),
          offline.el("p", { text: state }),
          item.message ? offline.el("p", { "class": "nhsuk-body-s", text: item.message }) : null,
          details, downloadButton, document.createTextNode(" "), deleteButton,
        ]));
      });
      return offline.store.receipts(offline.config.user);
    }).then(function (receipts) {
      sentList.textContent = "";
      document.getElementById("app-outbox-sent-heading").hidden = receipts.length === 0;
      receipts.sort(function (a, b) { return (b.sent_at || "").localeCompare(a.sent_at || ""); }).slice(0, 10).forEach(function (receipt) {
        var checkIn = receipt.kind === "check-in";
        sentList.appendChild(offline.el("li", {}, [offline.el("a", {
          href: checkIn ? receipt.next_url : receipt.results_url,
          text: checkIn ? offline.msg("outbox.check_in_sent", { date: when(receipt.sent_at) })
            : offline.msg("outbox.results_sent", { date: when(receipt.sent_at) }),
        })]));
      });
    });
  }

  window.CapableOffline.ready.then(function (ready) {
    offline = ready;
    if (!offline.outbox) return;
    sendNow.addEventListener("click", function () { offline.flush(true); });
    dialog.querySelector("[data-delete-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-delete-confirm]").addEventListener("click", function () {
      var item = pendingDelete;
      dialog.close();
      if (item) offline.outbox.remove(item.uuid);
    });
    dialog.addEventListener("close", function () { pendingDelete = null; document.querySelector(".app-outbox-page h1").focus(); });
    window.addEventListener("capable:outbox", render);
    render().then(function () { document.querySelector(".app-outbox-page").setAttribute("data-ready", "true"); });
  });
})();
