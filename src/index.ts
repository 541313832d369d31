import { localAdminToken, startService } from "./bootstrap";
import { ConfigError } from "./config";
import { DataDirInUseError } from "./db";
import { logger } from "./shared/logger";

/** `npm start`: serve until SIGTERM/SIGINT, then shut down gracefully and exit 0. */
async function main(): Promise<void> {
  const service = await startService();
  const token = await localAdminToken(service);
  if (token) {
    process.stdout.write(
      `\nGroups subgraph ready at ${service.url}\n` +
        `Local global-admin token (JWT_SECRET is generated under ${service.config.dataDir}):\n\n` +
        `  ${token}\n\n` +
        `Try: curl -s ${service.url} -H 'content-type: application/json' ` +
        `-H "authorization: Bearer ${token}" -d '{"query":"{ me { id } }"}'\n\n`,
    );
  }
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info("shutting down", { signal });
    const limitMs = service.config.shutdownDelayMs + service.config.shutdownTimeoutMs + 5000;
    const force = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, limitMs);
    force.unref();
    service.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    // A refusal, not a crash: one line saying what to do, no stack.
    process.stderr.write(`${error.message}\n`);
    logger.error("start-up refused", { reason: error.message });
  } else {
    logger.error("start-up failed", { error });
  }
  process.exit(1);
});
