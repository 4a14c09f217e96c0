// The outbox: finished responses and goal check-ins waiting on this phone, sent one at a time to
// POST /api/responses or POST /api/check-ins. An item leaves the outbox only after a 2xx receipt. 401 keeps it (sign in again), 409 and 422
// keep it and mark it for the person to see. Network failures and 5xx are retried with backoff.
// One flush at a time across tabs: navigator.locks, or a lease in localStorage without it.
(function (global) {
  "use strict";

  var Store = global.CapableStore;
  var BASE_DELAY = 1000;
  var MAX_DELAY = 5 * 60 * 1000;
  var LEASE = 30 * 1000;
  // Two kinds of item: questionnaire responses (no `kind`, as before) and goal check-ins.
  var KINDS = {
    "response": {
      api: "/api/responses",
      payload: function (item) {
        return { uuid: item.uuid, questionnaire: item.questionnaire, version: item.version,
                 authored_at: item.authored_at, answers: item.answers };
      },
    },
    "check-in": {
      api: "/api/check-ins",
      payload: function (item) {
        return { uuid: item.uuid, goal: item.goal, outcome: item.outcome, helped: item.helped,
                 got_in_the_way: item.got_in_the_way, confidence: item.confidence, next_step: item.next_step,
                 next_check_in_on: item.next_check_in_on, authored_at: item.authored_at };
      },
    },
  };

  function kindOf(item) {
    return KINDS[item.kind] || KINDS.response;
  }

  function Outbox(config) {
    this.user = config.user;
    this.sessionUrl = config.session;
    this.timer = null;
    this.again = false;
    this.tabId = Math.random().toString(36).slice(2);
    this.channel = global.BroadcastChannel ? new BroadcastChannel("capable-outbox-" + this.user) : null;
    var self = this;
    if (this.channel) this.channel.onmessage = function (event) { self.announce(event.data, false); };
  }

  // Tell this page (and other tabs) that the outbox changed.
  Outbox.prototype.announce = function (detail, broadcast) {
    global.dispatchEvent(new CustomEvent("capable:outbox", { detail: detail || {} }));
    if (broadcast !== false && this.channel) this.channel.postMessage(detail || {});
  };

  Outbox.prototype.items = function () {
    return Store.outbox(this.user);
  };

  Outbox.prototype.add = function (item) {
    var self = this;
    item.state = "waiting";
    item.attempts = 0;
    item.next_try = 0;
    item.created_at = item.created_at || new Date().toISOString();
    return Store.finish(this.user, item).then(function () {
      self.announce({ added: item.uuid });
    });
  };

  Outbox.prototype.remove = function (uuid) {
    var self = this;
    return Store.deleteItem(this.user, uuid).then(function () { self.announce({ deleted: uuid }); });
  };

  // Send what can be sent. `force` (the Send now button) ignores the backoff wait.
  // Sign-out: no more sending, and nothing may open the person's database again on this page.
  Outbox.prototype.stop = function () {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
  };

  Outbox.prototype.flush = function (force) {
    if (this.stopped) return Promise.resolve();
    var self = this;
    return this.withLock(function () {
      return self.run(force);
    }).then(function (ran) {
      if (ran === false) self.again = true;  // another flush is running; it will look again
    });
  };

  Outbox.prototype.withLock = function (work) {
    var name = "capable-outbox-" + this.user;
    if (global.navigator.locks && global.navigator.locks.request) {
      return global.navigator.locks.request(name, { ifAvailable: true }, function (lock) {
        return lock ? work() : false;
      });
    }
    var self = this;
    var key = name + "-lease";
    function lease() {
      try { return JSON.parse(global.localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    var current = lease();
    if (current && current.until > Date.now() && current.tab !== this.tabId) return Promise.resolve(false);
    global.localStorage.setItem(key, JSON.stringify({ tab: this.tabId, until: Date.now() + LEASE }));
    return Promise.resolve().then(function () {
      var mine = lease();
      if (!mine || mine.tab !== self.tabId) return false;
      return Promise.resolve(work()).finally(function () { global.localStorage.removeItem(key); });
    });
  };

  function due(item, force) {
    if (item.state === "conflict" || item.state === "rejected") return false;
    return force || !item.next_try || item.next_try <= Date.now();
  }

  Outbox.prototype.run = function (force) {
    var self = this;
    this.again = false;
    return this.items().then(function (items) {
      var waiting = items.filter(function (item) { return due(item, force); });
      if (!waiting.length) return null;
      if (global.navigator.onLine === false) return null;  // the `online` event starts us again
      return self.session().then(function (session) {
        if (!session.signed_in || session.user !== self.user) {
          return self.markAll(waiting, "signed-out", null);
        }
        return self.sendEach(waiting, session.csrf_token, force);
      }, function () {
        return self.backOff(waiting[0], "offline");
      });
    }).then(function () {
      if (self.again) return self.run(false);
    });
  };

  Outbox.prototype.session = function () {
    return fetch(this.sessionUrl, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("session " + response.status);
      return response.json();
    });
  };

  Outbox.prototype.sendEach = function (items, token, force) {
    var self = this;
    return items.reduce(function (previous, item) {
      return previous.then(function (stop) {
        if (stop) return true;
        // Read it again: another tab may have sent or deleted it meanwhile.
        return Store.getItem(self.user, item.uuid).then(function (fresh) {
          if (!fresh || !due(fresh, force)) return false;
          return self.send(fresh, token);
        });
      });
    }, Promise.resolve(false));
  };

  // What is sent (and what "Download as a file" saves) for an item.
  function payload(item) {
    return kindOf(item).payload(item);
  }

  // Send one item. Resolves true when the rest should wait (signed out, server unwell, offline).
  Outbox.prototype.send = function (item, token) {
    var self = this;
    return fetch(kindOf(item).api, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(payload(item)),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          return Store.received(self.user, item.uuid, body).then(function () {
            self.announce({ sent: item.uuid, receipt: body });
            return false;
          });
        }
        if (response.status === 401) return self.mark(item, "signed-out", body.error).then(function () { return true; });
        if (response.status === 409) return self.mark(item, "conflict", body.error).then(function () { return false; });
        if (response.status === 400 || response.status === 404 || response.status === 422) {
          return self.mark(item, "rejected", body.error).then(function () { return false; });
        }
        return self.backOff(item, "server " + response.status).then(function () { return true; });
      });
    }, function () {
      return self.backOff(item, "offline").then(function () { return true; });
    });
  };

  Outbox.prototype.mark = function (item, state, message) {
    item.state = state;
    item.message = message || null;
    var self = this;
    return Store.putItem(this.user, item).then(function () { self.announce({ marked: item.uuid, state: state }); });
  };

  Outbox.prototype.markAll = function (items, state, message) {
    var self = this;
    return Promise.all(items.map(function (item) { return self.mark(item, state, message); }));
  };

  // Wait longer after each failure (1s, 2s, 4s ... 5 minutes), then try again from this page.
  Outbox.prototype.backOff = function (item, reason) {
    var self = this;
    item.attempts = (item.attempts || 0) + 1;
    var delay = Math.min(MAX_DELAY, BASE_DELAY * Math.pow(2, item.attempts - 1));
    item.next_try = Date.now() + delay;
    item.state = "waiting";
    item.last_error = reason;
    return Store.putItem(this.user, item).then(function () {
      self.announce({ retry: item.uuid, delay: delay });
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.flush(false); }, delay);
    });
  };

  Outbox.payload = payload;
  global.CapableOutbox = Outbox;
})(window);
