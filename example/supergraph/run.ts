import path from "node:path";
import { createVerifier } from "../../src/auth";
import { localAdminToken, type Service, startService } from "../../src/bootstrap";
import { logger } from "../../src/shared/logger";
import { startAccounts } from "./accounts";
import { composeSupergraph, fetchSubgraphSdl, GROUPS, type SubgraphSource } from "./compose";
import { startCourses } from "./courses";
import { startGateway } from "./gateway";
import type { RunningGraphQL } from "./serve";

/**
 * `npm run supergraph`: the groups service (on the embedded PostgreSQL under DATA_DIR, by default
 * ./data/supergraph so that it runs beside `npm start`'s ./data, unless DATABASE_URL is set), the accounts and courses example subgraphs and a gateway in front of
 * them, all in this process. Ports: the gateway on GATEWAY_PORT (default 4000), groups on PORT
 * (default 4001 here, so that it does not collide with the gateway), accounts and courses on free
 * ports. Composition reads each running subgraph's `_service { sdl }`, as a router would.
 * SIGINT/SIGTERM stop everything, the embedded database last, and exit 0.
 */

const EXAMPLE_QUERY = `query MyGroupsAndCourses {
  me {
    id
    handle          # accounts
    name            # accounts (@override from groups)
    groups {        # groups
      name
      courses {     # courses
        title
        group { name visibility }   # back to groups
      }
    }
  }
}`;

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

/** The URL the gateway uses for groups: loopback when the service listens on every interface. */
function reachableUrl(service: Service): string {
  const wildcard = ["0.0.0.0", "::", "localhost"].includes(service.config.host);
  return wildcard ? `http://127.0.0.1:${service.port}/graphql` : service.url;
}

async function main(): Promise<void> {
  const gatewayPort = portFromEnv("GATEWAY_PORT", 4000);
  const started: RunningGraphQL[] = [];
  const service = await startService({
    ...(process.env.PORT ? {} : { port: 4001 }),
    // Its own data folder: one embedded PostgreSQL has one owner, and `npm start` owns ./data.
    ...(process.env.DATA_DIR ? {} : { dataDir: path.resolve("data", "supergraph") }),
  });
  let stopping: Promise<void> | undefined;
  // Reverse start order: the gateway first, the groups service (and its embedded database) last.
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const server of started.reverse()) await server.stop();
      await service.stop();
    })());

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info("supergraph shutting down", { signal });
    const limitMs = service.config.shutdownDelayMs + service.config.shutdownTimeoutMs + 5000;
    const force = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, limitMs);
    force.unref();
    stopAll().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  try {
    const verify = createVerifier(service.config, service.secret);
    const token = await localAdminToken(service);
    const admin = token ? await verify(token) : undefined;
    const accounts = await startAccounts({
      port: 0,
      verify,
      // The local admin gets an account, with a name that differs from groups' copy on purpose:
      // `me { name }` through the gateway shows that accounts answers it.
      accounts: admin
        ? [{ id: admin.sub, handle: "admin", name: "Admin (from accounts)", email: "admin@accounts.example" }]
        : [],
    });
    started.push(accounts);
    const courses = await startCourses({ port: 0, verify });
    started.push(courses);

    const subgraphs: SubgraphSource[] = [];
    for (const [name, url] of [
      [GROUPS, reachableUrl(service)],
      ["accounts", accounts.url],
      ["courses", courses.url],
    ] as const) {
      subgraphs.push({ name, url, sdl: await fetchSubgraphSdl(url) });
    }
    const composition = composeSupergraph(subgraphs);
    for (const hint of composition.hints) process.stdout.write(`composition hint [${hint.code}] ${hint.message}\n`);
    if (!composition.supergraphSdl) throw new Error(`composition failed:\n${composition.errors.join("\n")}`);
    const gateway = await startGateway({
      supergraphSdl: composition.supergraphSdl,
      port: gatewayPort,
      host: service.config.host,
    });
    started.push(gateway);

    const body = JSON.stringify({ query: EXAMPLE_QUERY.replace(/\s*#.*$/gm, "").replace(/\s+/g, " ") });
    process.stdout.write(
      `\nSupergraph ready.\n` +
        `  gateway   ${gateway.url}\n` +
        `  groups    ${reachableUrl(service)}\n` +
        `  accounts  ${accounts.url}\n` +
        `  courses   ${courses.url}\n\n` +
        (token
          ? `Local global-admin token (accounts knows this user as "Admin (from accounts)"):\n\n  ${token}\n\n`
          : `JWT_SECRET or JWKS_URL is set: bring a token the groups service accepts.\n\n`) +
        `A query across the three subgraphs:\n\n${EXAMPLE_QUERY}\n\n` +
        `Try: curl -s ${gateway.url} -H 'content-type: application/json' ` +
        `-H "authorization: Bearer ${token ?? "$TOKEN"}" -d '${body}'\n\n` +
        `Courses appear once you create a group (createGroup) and a course in it:\n` +
        `  mutation { createCourse(groupId: "<group id>", title: "Intro") { id group { name } } }\n\n` +
        `Ctrl-C stops everything.\n`,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}

main().catch((error: unknown) => {
  logger.error("supergraph start-up failed", { error: error instanceof Error ? error.message : error });
  process.exit(1);
});
