import { Client } from "pg";
import { hierarchyFactsSql } from "../src/permissions/permission.store";
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

  it("keep a generic plan for one permission check's facts, where the batch's arrays are re-planned every time", async () => {
    // The statement as the pool sends it: named (prepared once per connection), run again and again.
    const client = new Client({ connectionString: svc.databaseUrl });
    await client.connect();
    try {
      const plans = async (name: string, statement: { text: string; values: unknown[] }) => {
        for (let i = 0; i < 8; i++) await client.query({ name, text: statement.text, values: statement.values });
        const { rows } = await client.query(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1`,
          [name],
        );
        return rows[0] as { generic: number; custom: number };
      };
      const [group, other, user] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      const single = await plans("facts_single", hierarchyFactsSql([group], [user]));
      // PostgreSQL tries five custom plans, then keeps the generic one when its estimate is no worse.
      expect(single).toEqual({ generic: 3, custom: 5 });
      const batch = await plans("facts_batch", hierarchyFactsSql([group, other], [user]));
      expect(batch.generic + batch.custom).toBe(8);
    } finally {
      await client.end();
    }
  });
});
