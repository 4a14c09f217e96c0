// Capable offline client, loaded on every page (see templates/layout.html). For a signed-in
// person it: registers the service worker and offers its updates; asks the browser to keep
// this site's storage; shows how many answers wait on this phone; sends them (on load, when
// back online, when the page is shown again, and from "Send now"); saves drafts to the server as
// well (drafts.js); and on sign-out warns about unsent answers, then clears this person's data
// from the phone. Pages work without it. Every word it shows comes from the server's translation
// catalogue (/offline/messages.json, kept by the service worker), in English only when that
// cannot be loaded (messages_en.js).
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script.src.replace(/client\.js(\?.*)?$/, "");
  var config = {
    user: script.getAttribute("data-user") || "",
    sw: script.getAttribute("data-sw") || "",
    precache: (script.getAttribute("data-precache") || "").split(" ").filter(Boolean),
    outbox: script.getAttribute("data-outbox") || "/outbox",
    session: script.getAttribute("data-session") || "/offline/session",
    messages: script.getAttribute("data-messages") ||
      "/offline/messages.json?locale=" + encodeURIComponent(document.documentElement.lang || "en-GB"),
  };
  var controlledAtLoad = !!(navigator.serviceWorker && navigator.serviceWorker.controller);
  var api = { config: config };
  window.CapableOffline = api;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(element);
    });
  }

  function stylesheet(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  // --- Words, from the translation catalogue -----------------------------------------------

  var catalogue = { locale: document.documentElement.lang || "en-GB", messages: {} };

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  // msg(key, {name: value}) and msgPlural(key, count): the key names the message in
  // webapp/offline/messages.py (a test checks every key used here is there).
  function msg(key, values) {
    var text = catalogue.messages[key];
    return fill(typeof text === "string" ? text : key, values);
  }

  function msgPlural(key, count, values) {
    var forms = catalogue.messages[key] || {};
    var category = "other";
    try { category = new Intl.PluralRules(catalogue.locale).select(count); } catch (e) { /* an unknown locale */ }
    var text = forms[category] || forms.other || key;
    return fill(text, Object.assign({ count: count }, values || {}));
  }

  function loadMessages() {
    return fetch(config.messages, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("messages " + response.status);
      return response.json();
    }).catch(function () {
      return load(base + "messages_en.js").then(function () { return window.CapableMessagesEnglish; });
    }).then(function (found) {
      if (found && found.messages) catalogue = found;
    }).catch(function () { /* no words at all: the keys show, nothing breaks */ });
  }

  api.msg = msg;
  api.msgPlural = msgPlural;
  api.locale = function () { return catalogue.locale; };
  api.messagesReady = loadMessages();

  function el(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") element.textContent = attributes[name];
      else element.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { if (child) element.appendChild(child); });
    return element;
  }
  api.el = el;

  if (!config.user) {
    api.ready = Promise.resolve(api);
    return;  // nobody is signed in: nothing is kept, nothing is sent
  }

  stylesheet(base + "../offline.css");
  api.ready = load(base + "../../vendor/idb-8.0.4/idb.umd.js")
    .then(function () { return load(base + "store.js"); })
    .then(function () { return Promise.all([load(base + "outbox.js"), load(base + "drafts.js"), api.messagesReady]); })
    .then(function () {
      api.outbox = new window.CapableOutbox(config);
      api.drafts = new window.CapableDrafts(config);
      api.store = window.CapableStore;
      // A draft being saved to the server is finished first, so the two never race.
      api.flush = function (force) {
        return api.drafts.idle().then(function () { return api.outbox.flush(force); });
      };
      api.count = function () { return api.outbox.items().then(function (items) { return items.length; }); };
      api.clearLocalData = clearLocalData;
      start();
      return load(base + "check_in.js").then(function () { return api; });
    });

  function start() {
    banner();
    window.addEventListener("capable:outbox", function (event) {
      updateBanner();
      if (event.detail && event.detail.added) api.flush(false);
    });
    window.addEventListener("online", function () { updateBanner(); api.flush(true); api.drafts.changed(); });
    window.addEventListener("offline", updateBanner);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { api.flush(false); api.drafts.changed(); }
    });
    document.addEventListener("submit", guardSignOut, true);
    api.flush(false);
    api.drafts.changed();
    registerServiceWorker();
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (persisted) {
        return persisted || navigator.storage.persist();
      }).catch(function () {});
    }
  }

  // --- How many answers wait on this phone -----------------------------------------------

  var region;

  function banner() {
    var content = document.getElementById("app-content");
    if (!content) return;
    region = el("div", { "class": "app-outbox-banner", role: "status", "data-outbox-banner": "" });
    content.parentNode.insertBefore(region, content);
    updateBanner();
  }

  function updateBanner() {
    if (!region) return;
    api.outbox.items().then(function (items) {
      region.textContent = "";
      if (!items.length) return;
      var signedOut = items.some(function (item) { return item.state === "signed-out"; });
      var stuck = items.filter(function (item) { return item.state === "conflict" || item.state === "rejected"; }).length;
      var text = msgPlural("banner.unsent", items.length);
      var next = signedOut ? msg("banner.sign_in_again")
        : navigator.onLine === false ? msg("banner.when_online") : msg("banner.sending");
      var box = el("div", { "class": "nhsuk-inset-text app-outbox-banner__box" }, [
        el("p", { "data-outbox-count": String(items.length) }, [document.createTextNode(text + " " + next)]),
        stuck ? el("p", { text: msgPlural("banner.stuck", stuck) }) : null,
      ]);
      if (!document.querySelector(".app-outbox-page")) {  // that page has its own list and button
        box.appendChild(el("p", {}, [el("a", { href: config.outbox, text: msg("banner.see_saved") })]));
        var button = el("button", { type: "button", "class": "nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0", text: msg("banner.send_now") });
        button.addEventListener("click", function () { api.flush(true); });
        box.appendChild(button);
      }
      region.appendChild(box);
    });
  }

  // --- The service worker -------------------------------------------------------------------

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator) || !config.sw) return;
    var reloading = false;
    navigator.serviceWorker.register(config.sw, { scope: "/" }).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration);
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(registration);
        });
      });
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      keepPages(registration);
    }).catch(function () { /* no service worker: the app still works online */ });
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (api.updateAccepted && !reloading) {
        reloading = true;
        window.location.reload();
      }
    });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "CACHED") {
        api.cached = event.data.urls;
        document.documentElement.setAttribute("data-offline-ready", "true");
      }
    });
  }

  // Ask the service worker to keep the offline questionnaire pages, the check-in pages this page
  // links to (the goals the person is working on), and this page if it was not already served
  // through the worker, so that they open without a signal.
  function keepPages(registration) {
    var urls = config.precache.slice();
    urls.push("/offline", config.outbox);
    Array.prototype.forEach.call(document.querySelectorAll("a[href^='/goals/'][href$='/check-in']"), function (link) {
      var path = link.getAttribute("href");
      if (urls.indexOf(path) === -1) urls.push(path);
    });
    if (!controlledAtLoad) urls.push(window.location.pathname + window.location.search);
    if (registration.active) registration.active.postMessage({ type: "CACHE_PAGES", urls: urls });
  }

  function offerUpdate(registration) {
    if (document.querySelector("[data-update-banner]")) return;
    var button = el("button", { type: "button", "class": "nhsuk-button nhsuk-u-margin-bottom-0", text: msg("update.button") });
    var box = el("div", { "class": "nhsuk-inset-text app-update-banner", role: "status", "data-update-banner": "" }, [
      el("h2", { "class": "nhsuk-heading-s", text: msg("update.title") }),
      el("p", { text: msg("update.text") }),
      button,
    ]);
    button.addEventListener("click", function () {
      api.updateAccepted = true;
      button.disabled = true;
      if (registration.waiting) registration.waiting.postMessage({ type: "SKIP_WAITING" });
    });
    var content = document.getElementById("app-content");
    if (content) content.parentNode.insertBefore(box, content);
  }

  // --- Signing out on a shared phone ------------------------------------------------------------

  function clearLocalData() {
    api.outbox.stop();  // a retry firing now would create the database again
    api.drafts.stop();
    var jobs = [api.store.destroy(config.user)];
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) { return name.indexOf("capable-") === 0; })
          .map(function (name) { return caches.delete(name); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
      }));
    }
    try { window.localStorage.removeItem("capable-outbox-" + config.user + "-lease"); } catch (e) { /* private mode */ }
    // Never let a stuck deletion keep someone signed in: give up waiting after a few seconds.
    var limit = new Promise(function (resolve) { setTimeout(resolve, 5000); });
    return Promise.race([Promise.all(jobs).catch(function () {}), limit]);
  }

  function guardSignOut(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[action$='/sign-out']") || form.hasAttribute("data-cleared")) return;
    event.preventDefault();
    api.count().then(function (count) {
      if (!count) return signOut(form);
      confirmSignOut(form, count);
    });
  }

  function signOut(form) {
    return clearLocalData().then(function () {
      form.setAttribute("data-cleared", "");
      form.submit();
    });
  }

  function confirmSignOut(form, count) {
    var old = document.getElementById("app-sign-out-dialog");
    if (old) old.remove();
    var yes = el("button", { type: "button", "class": "nhsuk-button nhsuk-button--warning", text: msg("sign_out.delete") });
    var no = el("button", { type: "button", "class": "nhsuk-button nhsuk-button--secondary", text: msg("sign_out.stay") });
    var dialog = el("dialog", { id: "app-sign-out-dialog", "class": "app-dialog", "aria-labelledby": "app-sign-out-title" }, [
      el("h2", { id: "app-sign-out-title", text: msg("sign_out.title") }),
      el("p", { text: msgPlural("sign_out.count", count) }),
      el("p", { text: msg("sign_out.warning") }),
      el("p", {}, [el("a", { href: config.outbox, text: msg("sign_out.see") })]),
      el("div", { "class": "app-dialog__actions" }, [no, yes]),
    ]);
    no.addEventListener("click", function () { dialog.close(); });
    yes.addEventListener("click", function () {
      yes.disabled = true;
      signOut(form);
    });
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
    no.focus();
  }
})();
