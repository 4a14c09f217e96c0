#!/usr/bin/env bash
# refresh-vendor.sh: rebuild Capable's vendored front-end assets in static/vendor/.
#
# We never load anything from a CDN: htmx, NHS.UK frontend (CSS, JS, images) and
# idb are served from /static/vendor/<package>-<version>/. This script:
#   1. installs the exact versions pinned in package.json/package-lock.json (npm ci),
#   2. runs `npm run refresh`, which means:
#        npm run vendor     -> node vendor.mjs: copies htmx.min.js, nhsuk-frontend.min.js,
#                              NHS.UK images + manifest.json and idb's UMD build
#                              (sourceMappingURL comments stripped)
#        npm run build:css  -> compiles capable.scss (all of NHS.UK frontend with no
#                              NHS Frutiger web font + Capable additions) to
#                              static/vendor/nhsuk-frontend-10.6.1/nhsuk-frontend.min.css
#
# Output is deterministic: running it twice leaves `git status static/vendor` unchanged.
# To upgrade a package: change its version in package.json, `npm install`, then update
# the version in vendor.mjs (EXPECTED), capable.scss, the build:css script, the
# templates that reference the folder, and static/vendor/README.md; re-run this script.
#
# Needs Node.js >= 20 and npm. node_modules/ is git-ignored.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# --ignore-scripts: nothing here needs install scripts (sass is pure JS; the only
# one, @parcel/watcher, is an optional file-watcher for `sass --watch`).
npm ci --no-audit --no-fund --ignore-scripts
npm run refresh
