"""Property-based fuzz tests (hypothesis) of every form, the JSON API and every page."""
