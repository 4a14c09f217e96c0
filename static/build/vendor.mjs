// Copy pinned front-end files from node_modules into static/vendor/.
// Run via `npm run vendor` (or `npm run refresh`, see refresh-vendor.sh).
//
// Output is deterministic: each versioned folder is removed and re-created, and
// `//# sourceMappingURL=` comments are stripped from minified JS (we do not ship
// source maps, so the browser must not go looking for them).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const nm = path.join(here, "node_modules");
const vendor = path.resolve(here, "..", "vendor");

// Folder names (and the URLs in capable.scss / templates) embed these versions.
// If you bump a version in package.json, update it here, in capable.scss,
// in the "build:css" script and in static/vendor/README.md.
const EXPECTED = { "htmx.org": "4.0.1", "nhsuk-frontend": "10.6.1", idb: "8.0.4" };

for (const [name, version] of Object.entries(EXPECTED)) {
  const pkg = JSON.parse(fs.readFileSync(path.join(nm, name, "package.json"), "utf8"));
  if (pkg.version !== version) {
    throw new Error(`${name}: installed ${pkg.version}, expected ${version}. Run npm ci.`);
  }
}

const htmxDir = path.join(vendor, `htmx-${EXPECTED["htmx.org"]}`);
const nhsDir = path.join(vendor, `nhsuk-frontend-${EXPECTED["nhsuk-frontend"]}`);
const idbDir = path.join(vendor, `idb-${EXPECTED.idb}`);

/** Copy a JS file, dropping any sourceMappingURL comment line. */
function copyJs(src, dest) {
  const text = fs.readFileSync(src, "utf8");
  const stripped = text
    .split("\n")
    .filter((line) => !/^\s*\/\/[#@] sourceMappingURL=/.test(line))
    .join("\n")
    .replace(/\s*\/\/[#@] sourceMappingURL=\S*\s*$/, "")
    .trimEnd() + "\n";
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, stripped);
  console.log(`  ${path.relative(vendor, dest)}`);
}

function copy(src, dest) {
  fs.cpSync(src, dest, { recursive: true });
  console.log(`  ${path.relative(vendor, dest)}`);
}

// Start clean so files removed upstream do not linger. The CSS in nhsDir is
// rebuilt afterwards by `npm run build:css`.
for (const dir of [htmxDir, nhsDir, idbDir]) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

console.log(`Vendoring into ${vendor}`);

// htmx (classic script, defines global `htmx`)
copyJs(path.join(nm, "htmx.org/dist/htmx.min.js"), path.join(htmxDir, "htmx.min.js"));
copy(path.join(nm, "htmx.org/LICENSE"), path.join(htmxDir, "LICENSE"));

// NHS.UK frontend (ES module exporting initAll etc.), images and web manifest
const nhsDist = path.join(nm, "nhsuk-frontend/dist/nhsuk");
copyJs(
  path.join(nhsDist, `nhsuk-frontend-${EXPECTED["nhsuk-frontend"]}.min.js`),
  path.join(nhsDir, "nhsuk-frontend.min.js"),
);
copy(path.join(nhsDist, "assets/images"), path.join(nhsDir, "images"));
copy(path.join(nhsDist, "assets/manifest.json"), path.join(nhsDir, "manifest.json"));

// idb (UMD build: sets global `idb` when loaded with a plain <script>)
copyJs(path.join(nm, "idb/build/umd.js"), path.join(idbDir, "idb.umd.js"));
copy(path.join(nm, "idb/LICENSE"), path.join(idbDir, "LICENSE"));
