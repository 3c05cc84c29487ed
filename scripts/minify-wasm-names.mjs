// Shortens the names that join the wasm and its JS glue (wasm-bindgen's hashed import names
// such as `__wbg_set_scrollTop_9abe010024623249` and its long closure-shim export names):
// binaryen renames them in the wasm and prints the mapping, this applies the mapping to the
// glue. Both files carried each name once; about 3 KB brotli of the size budget.
// Usage: node scripts/minify-wasm-names.mjs <wasm> <glue.js> -- <wasm-opt feature flags...>
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath, , ...features] = process.argv.slice(2);
const mapping = JSON.parse(
  execFileSync(
    "node_modules/.bin/wasm-opt",
    [wasmPath, "-o", wasmPath, ...features, "--minify-imports-and-exports-and-modules"],
    { encoding: "utf8" },
  ),
);

const escape = (name) => name.replace(/[$]/g, "\\$");
let glue = readFileSync(gluePath, "utf8");
const replace = (pattern, replacement, what) => {
  const before = glue;
  glue = glue.replaceAll(pattern, replacement);
  if (glue === before) throw new Error(`minify-wasm-names: ${what} not found in the glue`);
};

// Imports: every module becomes the one module the wasm now names.
const modules = new Set(mapping.imports.map(([module]) => module));
const newModule = importModule(readFileSync(wasmPath));
for (const module of modules) {
  replace(JSON.stringify(module), JSON.stringify(newModule), `module ${module}`);
}
for (const [, name, short] of mapping.imports) {
  replace(new RegExp(`(?<![\\w$])${escape(name)}(?=:)`, "g"), short, `import ${name}`);
}
// Exports: the glue reads them as `wasm.<name>`; removed ones may have no reader left.
for (const [name, short] of mapping.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(name)}(?![\\w$])`, "g"), `wasm.${short}`);
}
writeFileSync(gluePath, glue);

/** The module name of the first import in a wasm binary. */
function importModule(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    if (id === 2) {
      leb(); // import count
      const length = leb();
      return new TextDecoder().decode(bytes.subarray(at, at + length));
    }
    at += size;
  }
  throw new Error("minify-wasm-names: the wasm has no imports");
}
