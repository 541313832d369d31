/**
 * The PostGraphile v5 peer: the Amber preset over the bench database's tables, plus the SQL
 * functions of ./sql.ts (applied by the runner) for what is not a plain column. No JWT, no RLS:
 * PostGraphile as a team would first deploy it. Run by the bench runner with PORT and DATABASE_URL.
 *
 * Plain JavaScript on purpose: PostGraphile's type declarations augment graphql's global types,
 * which would leak into the service's type check if this file were part of it.
 */
"use strict";

// PostGraphile 5 targets Node 22; Node 20 lacks Promise.withResolvers (grafast uses it).
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const http = require("node:http");
const { postgraphile } = require("postgraphile");
const { makePgService } = require("postgraphile/adaptors/pg");
const { grafserv } = require("postgraphile/grafserv/node");
const { PostGraphileAmberPreset } = require("postgraphile/presets/amber");

async function main() {
  const port = Number(process.env.PORT ?? 0);
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: process.env.DATABASE_URL,
        schemas: ["public"],
        poolConfig: { max: Number(process.env.DB_POOL_SIZE ?? 10) },
      }),
    ],
    grafserv: { port, graphqlPath: "/graphql", graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.on("error", (error) => {
    process.stderr.write(`postgraphile peer: ${String(error)}\n`);
    process.exit(1);
  });
  await serv.addTo(server);
  server.listen(port, "127.0.0.1");
  const stop = () => {
    server.close();
    Promise.resolve(pgl.release()).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  process.stderr.write(`postgraphile peer failed: ${error && error.stack ? error.stack : String(error)}\n`);
  process.exit(1);
});
