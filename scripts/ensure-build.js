#!/usr/bin/env node
// `npm start` builds first when needed: tsc's incremental build is a no-op when nothing changed, and
// the admin console is built once (again with `npm run build:admin` after changing it).
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (!fs.existsSync(path.join(root, "admin", "dist", "index.html"))) {
  execFileSync("npm", ["run", "build", "-w", "admin"], { cwd: root, stdio: "inherit" });
}
