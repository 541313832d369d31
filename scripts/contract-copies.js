#!/usr/bin/env node
// The project keeps copies of the shared contract files in docs/contract/ so its tests pass on any
// machine: no test, and nothing `npm test` runs, reads outside the repository. `npm run
// contract:check` compares the copies with the originals when they lie beside the repository
// (../shared/design) and fails on any difference; elsewhere it says it checked nothing.
// `--update` copies the originals over the project's copies.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const originals = path.resolve(root, "..", "shared", "design");
const copies = path.join(root, "docs", "contract");
const FILES = ["contract.graphql", "contract-next.graphql"];

if (!fs.existsSync(originals)) {
  process.stdout.write(`contract copies: no ${originals} beside the repository; checked nothing` + "\n");
  process.exit(0);
}
const update = process.argv.includes("--update");
let stale = 0;
for (const file of FILES) {
  const original = path.join(originals, file);
  const copy = path.join(copies, file);
  if (!fs.existsSync(original)) continue;
  const same = fs.existsSync(copy) && fs.readFileSync(copy, "utf8") === fs.readFileSync(original, "utf8");
  if (same) continue;
  if (update) {
    fs.copyFileSync(original, copy);
    process.stdout.write(`contract copies: updated docs/contract/${file}` + "\n");
  } else {
    process.stderr.write(
      `contract copies: docs/contract/${file} differs from ${original} (npm run contract:copy)` + "\n",
    );
    stale++;
  }
}
if (stale > 0) process.exit(1);
process.stdout.write(`contract copies: docs/contract/ matches ${originals}` + "\n");
