// Drafts saved to the server as well as on this phone, so a questionnaire started here carries on
// on another device. Loaded by client.js for a signed-in person.
//
// - The offline questionnaire page (pager.js) keeps each draft's answers as the server would read
//   them (`answers`) and when they last changed (`answers_at`), and calls `changed()`.
// - Sending is best effort and debounced: a few seconds after the last change, on page load, when
//   back online and when the page is shown again, every draft whose answers the server has not
//   confirmed is sent to PUT /api/drafts/<uuid> with `saved_at` = `answers_at`. The server keeps
//   the newest save (an older one is refused with 409 "newer"), so a phone coming online late
//   never overwrites newer answers given on another device.
// - Nothing waits for it and nothing is lost when it fails: the draft on this phone stays the
//   truth for this phone. Network errors and 5xx are tried again later (1 s, 2 s, 4 s ... 5
//   minutes); 401 waits for the next page load; 404, 409 and 422 are not tried again until the
//   answers change.
(function (global) {
  "use strict";

  var Store = global.CapableStore;
  var DEBOUNCE = 2000;
  var BASE_DELAY = 1000;
  var MAX_DELAY = 5 * 60 * 1000;

  function Drafts(config) {
    this.user = config.user;
    this.sessionUrl = config.session;
    this.timer = null;
    this.failures = 0;
    this.running = Promise.resolve();
    this.stopped = false;
  }

  // Something changed (or the phone is back online): send in a moment, once.
  Drafts.prototype.changed = function (delay) {
    if (this.stopped) return;
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.sync(); }, delay === undefined ? DEBOUNCE : delay);
  };

  Drafts.prototype.stop = function () {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
  };

  // Resolves when no request to /api/drafts is under way (the outbox waits for it before sending
  // a finished response, so the two never race to create the same response).
  Drafts.prototype.idle = function () {
    return this.running.catch(function () {});
  };

  Drafts.prototype.sync = function () {
    var self = this;
    this.running = this.idle().then(function () { return self.run(); }).catch(function () {});
    return this.running;
  };

  function needsSending(draft, record) {
    if (!draft.answers || !draft.answers_at) return false;  // not saved by this version of the page
    if (record && (record.saved_at === draft.answers_at || record.blocked_at === draft.answers_at)) return false;
    return Object.keys(draft.answers).length > 0 || !!(record && record.saved_at);
  }

  Drafts.prototype.waiting = function () {
    var user = this.user;
    return Store.drafts(user).then(function (drafts) {
      return Promise.all(drafts.map(function (draft) {
        return Store.draftSync(user, draft.uuid).then(function (record) {
          return needsSending(draft, record) ? draft : null;
        });
      }));
    }).then(function (found) { return found.filter(Boolean); });
  };

  Drafts.prototype.run = function () {
    if (this.stopped || global.navigator.onLine === false) return Promise.resolve();
    var self = this;
    return this.waiting().then(function (drafts) {
      if (!drafts.length) return null;
      return fetch(self.sessionUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (!response.ok) throw new Error("session " + response.status);
        return response.json();
      }).then(function (session) {
        if (!session.signed_in || session.user !== self.user) return null;  // the next page load tries again
        return drafts.reduce(function (previous, draft) {
          return previous.then(function (wait) { return wait ? true : self.send(draft.uuid, session.csrf_token); });
        }, Promise.resolve(false)).then(function (wait) {
          if (!wait) self.failures = 0;
        });
      }, function () {
        self.retryLater();
      });
    });
  };

  // Send one draft as it is now. Resolves true when the rest should wait (signed out, unreachable).
  Drafts.prototype.send = function (uuid, token) {
    var self = this;
    return Store.getDraft(this.user, uuid).then(function (draft) {
      if (!draft || self.stopped) return false;  // sent as finished, or deleted, meanwhile
      var savedAt = draft.answers_at;
      return fetch("/api/drafts/" + encodeURIComponent(uuid), {
        method: "PUT",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ questionnaire: draft.questionnaire, version: draft.version, answers: draft.answers,
                               screen: draft.screen, saved_at: savedAt }),
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) return self.record(uuid, { saved_at: savedAt, state: "saved", receipt: body }).then(function () { return false; });
          if (response.status === 401) return true;
          if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
            // Refused as it is: not tried again until the answers change (the phone keeps them).
            return self.record(uuid, { blocked_at: savedAt, state: body.reason || "refused" }).then(function () { return false; });
          }
          self.retryLater();
          return true;
        });
      }, function () {
        self.retryLater();
        return true;
      });
    });
  };

  Drafts.prototype.record = function (uuid, fields) {
    var user = this.user;
    return Store.draftSync(user, uuid).then(function (old) {
      var record = Object.assign({}, old || {}, fields, { uuid: uuid, checked_at: new Date().toISOString() });
      return Store.putDraftSync(user, record);
    }).then(function () {
      global.dispatchEvent(new CustomEvent("capable:draft", { detail: { uuid: uuid, state: fields.state } }));
    });
  };

  Drafts.prototype.retryLater = function () {
    this.failures += 1;
    this.changed(Math.min(MAX_DELAY, BASE_DELAY * Math.pow(2, this.failures - 1)));
  };

  global.CapableDrafts = Drafts;
})(window);
