import { TestService } from "./utils/service";

/** The session settings the service's pool connections run with (ormconfig.ts createDataSource). */
describe("the service's database sessions", () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it("never JIT-compile (a fresh database's guesses made the facts statement compile on every request) and time out after 30 s", async () => {
    // Several at once: every pool connection, not only the first, has them.
    const rows = await Promise.all(
      Array.from({ length: 4 }, () =>
        svc.db.query(
          `SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS timeout, pg_sleep(0.05)`,
        ),
      ),
    );
    for (const [row] of rows as { jit: string; timeout: string }[][])
      expect(row).toEqual({ jit: "off", timeout: "30s", pg_sleep: "" });
  });
});
