// Capable's service worker. Served at /sw.js by webapp/offline/views.py, which puts
// `self.CAPABLE = {version, static, ...}` in front of this file.
//
// - Static files: cache first, in a cache named after this build's version. The offline scripts'
//   messages (/offline/messages.json?locale=...) are kept with them: the build's version covers
//   the translations too.
// - Pages: network first. A page is kept only when the server marked it with the X-Capable-Cache
//   header (a signed-in person's own page), in a cache named after that person's key.
// - Offline: the kept page, or for /questionnaires/<id> the kept offline questionnaire page,
//   or the /offline page.
// - Drafts and unsent answers live in IndexedDB, not here: an update never touches them, and it
//   never deletes the kept pages (older questionnaire versions that drafts need stay).
/* global self, caches, clients, fetch, Request, URL */
"use strict";

var C = self.CAPABLE;
var STATIC = "capable-static-" + C.version;
var PAGES = "capable-pages-";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    var files = cache.addAll(C.static.map(function (url) { return new Request(url, { cache: "reload" }); }));
    // A signed-out copy of the offline page, for when nothing better was kept.
    var offline = fetch(new Request(C.offlinePage, { cache: "reload", credentials: "omit" })).then(function (response) {
      if (response.ok) return cache.put(C.offlinePage, response);
    });
    return Promise.all([files, offline]);
  }));
  // No skipWaiting(): a new version waits until the person accepts it (SKIP_WAITING).
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("capable-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
  if (data.type === "CACHE_PAGES") {
    event.waitUntil(cachePages(data.urls || []).then(function () {
      if (event.source) event.source.postMessage({ type: "CACHED", urls: data.urls });
    }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (C.never.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) return;
  if (url.pathname.indexOf(C.staticPrefix) === 0 || url.pathname === C.messages) {
    // Static files, and the offline scripts' messages (per locale), kept for this build.
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, request, url));
  }
  // Anything else (htmx fragments, JSON) goes to the network as usual and is never kept.
});

function cacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (found) {
      if (found) return found;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function pageKey(url) {
  return url.pathname + url.search;
}

// Keep a page the server marked as the signed-in person's own, and forget other people's pages.
function keep(response, url) {
  var user = response.headers.get(C.cacheHeader);
  if (!user || response.status !== 200 || response.type !== "basic") return Promise.resolve();
  var alias = response.headers.get(C.aliasHeader);
  var copies = [response.clone(), alias ? response.clone() : null];
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES) === 0 && name !== PAGES + user;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () {
    return caches.open(PAGES + user);
  }).then(function (cache) {
    var puts = [cache.put(pageKey(url), copies[0])];
    if (alias) puts.push(cache.put(alias, copies[1]));
    return Promise.all(puts);
  });
}

function networkFirst(event, request, url) {
  return fetch(request).then(function (response) {
    event.waitUntil(keep(response, url).catch(function () {}));
    return response;
  }, function () {
    return kept(pageKey(url)).then(function (found) {
      return found || kept(C.offlinePage);
    }).then(function (found) {
      return found || caches.match(C.offlinePage, { cacheName: STATIC, ignoreVary: true });
    }).then(function (found) {
      return found || Response.error();
    });
  });
}

// A kept page of the signed-in person (there is only ever one person's pages cache).
function kept(key) {
  return caches.keys().then(function (names) {
    var pages = names.filter(function (name) { return name.indexOf(PAGES) === 0; });
    return pages.reduce(function (previous, name) {
      return previous.then(function (found) {
        return found || caches.open(name).then(function (cache) { return cache.match(key, { ignoreVary: true }); });
      });
    }, Promise.resolve(undefined));
  });
}

// Asked by a signed-in page: fetch and keep these pages, unless this build already kept them.
function cachePages(urls) {
  return urls.reduce(function (previous, path) {
    return previous.then(function () {
      return kept(path).then(function (found) {
        if (found && found.headers.get(C.buildHeader) === C.version) return;
        return fetch(new Request(path, { credentials: "same-origin", cache: "no-store" })).then(function (response) {
          if (response.redirected) return;  // signed out meanwhile: nothing to keep
          return keep(response, new URL(path, self.location.origin));
        });
      }).catch(function () { /* offline or refused: try again on a later page load */ });
    });
  }, Promise.resolve());
}
