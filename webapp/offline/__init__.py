"""Offline use: the web app manifest, the service worker, offline questionnaire pages, the outbox."""
