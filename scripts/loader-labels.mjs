// Fills the built loader's launcher-label table from locales/: for each locales/<lang>.js, the
// launcher's accessible name in that language (its string for core's Text::OpenChat), in the
// order of core's Lang. The loader labels its launcher with it before the wasm is loaded, and
// fetches a locale module only for a language in the table, so the table is never written by
// hand: adding locales/<lang>.js (and the language to core) is enough.
//
// loader/handoff-chat.js holds the placeholder {"@launcher-labels": ""}; scripts/build.sh runs
// this on the built loader after Trunk (minifiers keep the placeholder: it is a string key).
//
//   node scripts/loader-labels.mjs dist/handoff-chat.js
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const loader = process.argv[2];
if (!loader) throw new Error("usage: node scripts/loader-labels.mjs LOADER.js");

// The variants of a Rust enum of core/src/i18n.rs, in order.
const i18n = readFileSync(new URL("core/src/i18n.rs", root), "utf8");
function variants(name) {
  const body = i18n.match(new RegExp(`pub enum ${name} \\{([^}]*)\\}`));
  if (!body) throw new Error(`core/src/i18n.rs: no \`pub enum ${name}\``);
  return body[1]
    .split("\n")
    .filter((line) => !/^\s*(\/\/|#)/.test(line))
    .join("\n")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}
// A locale module holds one string per Text variant, in order.
const index = variants("Text").indexOf("OpenChat");
if (index < 0) throw new Error("core/src/i18n.rs: Text has no OpenChat");
// Languages in core's order (Lang); English is built in.
const langs = variants("Lang").map((v) => v.toLowerCase());

const dir = new URL("locales/", root);
const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
for (const file of files) {
  if (!langs.includes(file.slice(0, -3))) {
    throw new Error(`locales/${file}: not a language of core's Lang`);
  }
}
const entries = [];
for (const lang of langs.filter((l) => files.includes(`${l}.js`))) {
  // `export default [...];`, a JSON array (core's i18n tests read it the same way).
  const module = readFileSync(new URL(`${lang}.js`, dir), "utf8");
  const array = module.slice(module.indexOf("export default") + "export default".length);
  const strings = JSON.parse(array.trim().replace(/;$/, ""));
  if (typeof strings[index] !== "string") throw new Error(`locales/${lang}.js: no string ${index}`);
  entries.push(`${lang}:${JSON.stringify(strings[index])}`);
}

const source = readFileSync(loader, "utf8");
const placeholder = /\{\s*(["'])@launcher-labels\1\s*:\s*(["'])\2\s*\}/g;
const found = source.match(placeholder) || [];
if (found.length !== 1) {
  throw new Error(`${loader}: expected the launcher-label placeholder once, found ${found.length}`);
}
writeFileSync(loader, source.replace(placeholder, () => `{${entries.join(",")}}`));
console.log(`${loader}: launcher labels for ${entries.length} languages from locales/`);
