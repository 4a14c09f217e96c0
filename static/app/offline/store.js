// What this phone keeps for the signed-in person, in IndexedDB (through the vendored idb):
// drafts (answers as they are given), the outbox (finished responses not yet received) and
// receipts of responses the server has, and what the server last confirmed of each draft
// ("draft_sync", written only by drafts.js, so a page saving a draft never overwrites it).
// One database per person: sign-out deletes it.
(function (global) {
  "use strict";

  var VERSION = 2;
  var opened = {};
  var destroyed = {};  // people signed out on this page: their database must not come back

  function name(user) {
    return "capable-" + user;
  }

  function open(user) {
    if (!user) return Promise.reject(new Error("No one is signed in on this page."));
    // A send or save still under way when the person signed out would otherwise open (and so
    // create again) the database that sign-out has just deleted. Its work simply never goes on
    // (the page is about to leave), rather than failing with an error for nobody to read.
    if (destroyed[user]) return new Promise(function () {});
    if (!opened[user]) {
      opened[user] = global.idb.openDB(name(user), VERSION, {
        upgrade: function (db, oldVersion) {
          if (oldVersion < 1) {
            var drafts = db.createObjectStore("drafts", { keyPath: "uuid" });
            drafts.createIndex("questionnaire", "questionnaire");
            db.createObjectStore("outbox", { keyPath: "uuid" });
            db.createObjectStore("sent", { keyPath: "uuid" });
          }
          if (oldVersion < 2) db.createObjectStore("draft_sync", { keyPath: "uuid" });
        },
        blocking: function () {
          // Another page wants to delete or upgrade the database (sign-out): let it.
          opened[user].then(function (db) { db.close(); });
          delete opened[user];
        },
      });
    }
    return opened[user];
  }

  function byTime(a, b) {
    return (a.created_at || "").localeCompare(b.created_at || "");
  }

  var Store = {
    open: open,
    draftsFor: function (user, questionnaire) {
      return open(user).then(function (db) { return db.getAllFromIndex("drafts", "questionnaire", questionnaire); });
    },
    saveDraft: function (user, draft) {
      draft.updated_at = new Date().toISOString();
      return open(user).then(function (db) { return db.put("drafts", draft); });
    },
    deleteDraft: function (user, uuid) {
      return open(user).then(function (db) {
        var tx = db.transaction(["drafts", "draft_sync"], "readwrite");
        tx.objectStore("drafts").delete(uuid);
        tx.objectStore("draft_sync").delete(uuid);
        return tx.done;
      });
    },
    drafts: function (user) {
      return open(user).then(function (db) { return db.getAll("drafts"); });
    },
    getDraft: function (user, uuid) {
      return open(user).then(function (db) { return db.get("drafts", uuid); });
    },
    // What the server last said about a draft: {uuid, saved_at, state, blocked_at?}.
    draftSync: function (user, uuid) {
      return open(user).then(function (db) { return db.get("draft_sync", uuid); });
    },
    putDraftSync: function (user, record) {
      return open(user).then(function (db) { return db.put("draft_sync", record); });
    },
    // The finished response goes into the outbox and its draft goes, in one transaction.
    finish: function (user, item) {
      return open(user).then(function (db) {
        var tx = db.transaction(["drafts", "draft_sync", "outbox"], "readwrite");
        tx.objectStore("outbox").put(item);
        tx.objectStore("drafts").delete(item.uuid);
        tx.objectStore("draft_sync").delete(item.uuid);
        return tx.done;
      });
    },
    outbox: function (user) {
      return open(user).then(function (db) { return db.getAll("outbox"); }).then(function (items) {
        return items.sort(byTime);
      });
    },
    getItem: function (user, uuid) {
      return open(user).then(function (db) { return db.get("outbox", uuid); });
    },
    putItem: function (user, item) {
      return open(user).then(function (db) { return db.put("outbox", item); });
    },
    deleteItem: function (user, uuid) {
      return open(user).then(function (db) { return db.delete("outbox", uuid); });
    },
    // After a 2xx receipt: the item leaves the outbox and its receipt is kept, in one transaction.
    received: function (user, uuid, receipt) {
      return open(user).then(function (db) {
        var tx = db.transaction(["outbox", "sent"], "readwrite");
        tx.objectStore("outbox").delete(uuid);
        tx.objectStore("sent").put(Object.assign({ uuid: uuid, sent_at: new Date().toISOString() }, receipt));
        return tx.done;
      });
    },
    receipt: function (user, uuid) {
      return open(user).then(function (db) { return db.get("sent", uuid); });
    },
    receipts: function (user) {
      return open(user).then(function (db) { return db.getAll("sent"); });
    },
    // Sign-out: everything this phone holds for the person goes.
    destroy: function (user) {
      var closing = opened[user] ? opened[user].then(function (db) { db.close(); }, function () {}) : Promise.resolve();
      delete opened[user];
      destroyed[user] = true;
      return closing.then(function () { return global.idb.deleteDB(name(user)); });
    },
  };

  global.CapableStore = Store;
})(window);
