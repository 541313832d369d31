/**
 * Module boundaries: a domain folder under src/ (users, groups, memberships, permissions, events,
 * auth, db, federation) is used by other folders only through its public entry file index.ts,
 * never through its internals. shared/ is a toolbox anyone may import file by file.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-internals",
      severity: "error",
      comment: "Import another domain folder through its index.ts only.",
      from: { path: "^src/([^/]+)/" },
      to: {
        path: "^src/(users|groups|memberships|permissions|events|auth|db|federation|leadership|initiatives)/",
        pathNot: ["^src/$1/", "^src/[^/]+/index\\.ts$"],
      },
    },
    {
      name: "root-files-use-entries",
      severity: "error",
      comment: "The composition root wires domains through their index.ts too.",
      from: { path: "^src/[^/]+\\.ts$" },
      to: {
        path: "^src/(users|groups|memberships|permissions|events|auth|db|federation|leadership|initiatives)/",
        pathNot: "^src/[^/]+/index\\.ts$",
      },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "Cycles between modules break decorator metadata at load time.",
      from: {},
      to: { circular: true },
    },
    {
      name: "shared-is-a-leaf",
      severity: "error",
      comment: "shared/ must not depend on domain folders.",
      from: { path: "^src/shared/" },
      to: { path: "^src/(users|groups|memberships|permissions|events|auth|federation|leadership|initiatives)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    exclude: { path: "^(dist|test|node_modules)/" },
  },
};
