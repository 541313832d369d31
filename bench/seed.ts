import "reflect-metadata";
import { parseArgs } from "node:util";
import { Client } from "pg";
import { createDataSource } from "../ormconfig";
import { applySync, registry } from "../src/permissions";
import { logger } from "../src/shared/logger";
import { type BenchDatabase, openBenchDatabase } from "./lib/database";
import { benchIdSql, levelBounds, parseScale, type Scale, specialUsers } from "./lib/scales";

const USAGE = `Usage: npm run seed:bench -- [--scale small|default|large]
Fills the benchmark database (groups_bench on DATABASE_URL's server, or an embedded PostgreSQL
under data/bench) with deterministic data: every run of a scale gives the same rows.`;

const WORDS = [
  "amber",
  "birch",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "grove",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "maple",
  "nimbus",
  "onyx",
  "prairie",
  "quartz",
  "raven",
  "sierra",
  "tundra",
  "umber",
  "vale",
  "willow",
  "xenon",
  "yarrow",
  "zephyr",
  "atlas",
  "beacon",
  "cobalt",
  "dune",
  "echo",
  "falcon",
  "granite",
  "helix",
  "indigo",
  "jade",
];
const CAMPUSES = ["North", "South", "East", "West", "Central"];
const AREAS = ["Physics", "Biology", "Computing", "History", "Economics", "Medicine", "Law", "Arts"];

const sqlArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(",")}]`;

const uid = (expr: string) => benchIdSql("user", expr);
const gid = (expr: string) => benchIdSql("group", expr);

/** The statements that fill the tables, in order; each one set-based. */
export function seedStatements(scale: Scale): [label: string, sql: string][] {
  const levels = levelBounds(scale.groups);
  const special = specialUsers(scale);
  const perGroup = Math.ceil(scale.memberships / scale.groups);
  const userStep = Math.max(1, Math.floor(scale.users / perGroup));
  const periodsPerGroup = 5;
  const ledGroups = Math.floor(scale.leaderships / periodsPerGroup);
  const ledStride = Math.max(1, Math.floor(scale.groups / ledGroups));
  const levelValues = levels.map((l) => `(${l.level}, ${l.lo}, ${l.hi}, '${l.groupType}')`).join(", ");
  return [
    [
      "levels",
      `CREATE TEMP TABLE lv(level int, lo int, hi int, group_type text) ON COMMIT DROP;
       INSERT INTO lv VALUES ${levelValues}`,
    ],
    [
      "users",
      `INSERT INTO users (id, name, email, is_global_admin, created_at, updated_at)
       SELECT ${uid("i")}, initcap((${sqlArray(WORDS)})[1 + (i * 7) % ${WORDS.length}]) || ' User ' || i,
              'user' || i || '@bench.example', false, now() - (i % 1000) * interval '1 hour', now()
       FROM generate_series(1, ${scale.users + scale.spareUsers}) i;
       INSERT INTO users (id, name, email, is_global_admin) VALUES
         (${uid(String(special.admin))}, 'Bench Admin', 'admin@bench.example', true),
         (${uid(String(special.chain))}, 'Bench Chain User', 'chain@bench.example', false)`,
    ],
    [
      "groups",
      `INSERT INTO groups (id, name, group_type, short_name, campus, knowledge_area, visibility, is_active,
                           permission_cascade_enabled, metadata, created_at, updated_at)
       SELECT ${gid("i")},
              initcap((${sqlArray(WORDS)})[1 + (i * 11) % ${WORDS.length}]) || ' ' || initcap(replace(lv.group_type, '_', ' ')) || ' ' || i,
              lv.group_type, 'G' || i, (${sqlArray(CAMPUSES)})[1 + i % ${CAMPUSES.length}],
              (${sqlArray(AREAS)})[1 + (i * 3) % ${AREAS.length}],
              CASE WHEN i % 2 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END, i % 50 <> 0, true,
              jsonb_build_object('level', lv.level), now() - (i % 5000) * interval '1 hour', now()
       FROM generate_series(1, ${scale.groups}) i JOIN lv ON i BETWEEN lv.lo AND lv.hi`,
    ],
    [
      "hierarchy",
      `INSERT INTO group_parents (child_id, parent_id)
       SELECT ${gid("c.i")}, ${gid("p.lo + ((c.i::bigint * 2654435761) % (p.hi - p.lo + 1))::int")}
       FROM (SELECT i, lv.level FROM generate_series(1, ${scale.groups}) i JOIN lv ON i BETWEEN lv.lo AND lv.hi) c
       JOIN lv p ON p.level = c.level - 1;
       INSERT INTO group_parents (child_id, parent_id)
       SELECT ${gid("c.i")}, ${gid("p.lo + ((c.i::bigint * 40503 + 7) % (p.hi - p.lo + 1))::int")}
       FROM (SELECT i, lv.level FROM generate_series(1, ${scale.groups}) i JOIN lv ON i BETWEEN lv.lo AND lv.hi) c
       JOIN lv p ON p.level = c.level - 1 AND p.hi > p.lo
       WHERE c.i % 10 = 3
       ON CONFLICT DO NOTHING`,
    ],
    [
      "memberships",
      // Each group gets about the same number of members; (group, user) pairs are distinct because
      // k * userStep < users. Roles, statuses and expiry are spread by residues of i and k, so every
      // group has a mix.
      `INSERT INTO memberships (id, group_id, user_id, role, status, joined_at, expires_at, created_at, updated_at)
       SELECT ${benchIdSql("membership", "i + 1")}, ${gid("g")}, ${uid(`((g::bigint * 7919 + k::bigint * ${userStep}) % ${scale.users})::int + 1`)},
              CASE WHEN (i * 37 + k * 13) % 100 < 5 THEN 'owner' WHEN (i * 37 + k * 13) % 100 < 15 THEN 'admin'
                   WHEN (i * 37 + k * 13) % 100 < 30 THEN 'viewer' ELSE 'member' END,
              CASE WHEN (i * 53 + k * 17) % 100 < 85 THEN 'ACTIVE' WHEN (i * 53 + k * 17) % 100 < 95 THEN 'INACTIVE' ELSE 'PENDING' END,
              now() - (i % 3650) * interval '1 day' - (i % 86400) * interval '1 second',
              CASE WHEN (i * 71 + k * 29) % 100 < 3 THEN now() - interval '30 days'
                   WHEN (i * 71 + k * 29) % 100 < 6 THEN now() + interval '30 days' END,
              now(), now()
       FROM (SELECT i, i % ${scale.groups} + 1 AS g, i / ${scale.groups} AS k
             FROM generate_series(0, ${scale.memberships - 1}) i) s;
       INSERT INTO memberships (group_id, user_id, role, status)
       VALUES (${gid("1")}, ${uid(String(special.chain))}, 'admin', 'ACTIVE')`,
    ],
    [
      "leaderships",
      `INSERT INTO leaderships (id, group_id, user_id, start_date, end_date)
       SELECT ${benchIdSql("leadership", "i + 1")}, ${gid(`(i / ${periodsPerGroup}) * ${ledStride} + 1`)},
              ${uid(`(((i / ${periodsPerGroup}) * ${ledStride} + 1) * 31 + (i % ${periodsPerGroup}) * 977) % ${scale.users} + 1`)},
              date '2021-01-01' + (i % ${periodsPerGroup}) * 365,
              CASE WHEN i % ${periodsPerGroup} < ${periodsPerGroup - 1} THEN date '2021-01-01' + (i % ${periodsPerGroup} + 1) * 365 END
       FROM generate_series(0, ${ledGroups * periodsPerGroup - 1}) i
       WHERE (i / ${periodsPerGroup}) * ${ledStride} + 1 <= ${scale.groups}`,
    ],
    [
      "initiatives",
      `INSERT INTO initiatives (id, name, description, start_date, end_date)
       SELECT ${benchIdSql("initiative", "i")}, 'Initiative ' || initcap((${sqlArray(WORDS)})[1 + (i * 5) % ${WORDS.length}]) || ' ' || i,
              'Benchmark initiative ' || i, date '2022-01-01' + i % 700, date '2024-01-01' + i % 700
       FROM generate_series(1, ${scale.initiatives}) i;
       INSERT INTO group_initiatives (group_id, initiative_id, linked_at)
       SELECT ${gid(`((i::bigint * 7) % ${scale.groups})::int + 1`)}, ${benchIdSql("initiative", `i % ${scale.initiatives} + 1`)},
              now() - (i % 500) * interval '1 day'
       FROM generate_series(0, ${scale.initiativeLinks - 1}) i
       ON CONFLICT DO NOTHING`,
    ],
    [
      "events",
      // The rows the service would have written for this history, oldest first.
      `INSERT INTO domain_events (id, type, group_id, user_id, actor_id, occurred_at, payload)
       SELECT nextval('domain_events_id_seq'), e.* FROM (
         SELECT 'GROUP_CREATED', g.id, NULL::uuid, NULL::uuid, g.created_at,
                jsonb_build_object('name', g.name, 'groupType', g.group_type, 'createdBy', NULL, 'parentIds', '[]'::jsonb)
         FROM groups g
         UNION ALL
         SELECT 'MEMBER_ADDED', m.group_id, m.user_id, NULL, m.joined_at,
                jsonb_build_object('role', m.role, 'invitedBy', NULL, 'status', m.status, 'expiresAt', m.expires_at)
         FROM memberships m
         UNION ALL
         SELECT 'LEADER_ADDED', l.group_id, l.user_id, NULL, l.start_date::timestamptz,
                jsonb_build_object('leadershipId', l.id, 'startDate', l.start_date)
         FROM leaderships l
         UNION ALL
         SELECT 'INITIATIVE_LINKED', gi.group_id, NULL, NULL, gi.linked_at,
                jsonb_build_object('initiativeId', i.id, 'name', i.name)
         FROM group_initiatives gi JOIN initiatives i ON i.id = gi.initiative_id
         ORDER BY 5
       ) e`,
    ],
  ];
}

const TABLES = [
  "domain_events",
  "group_initiatives",
  "initiatives",
  "leaderships",
  "memberships",
  "group_parents",
  "groups",
  "users",
];

/** Migrations and the permission registry (the role grants the permission checks read). */
async function prepareSchema(url: string): Promise<void> {
  const db = createDataSource(url);
  await db.initialize();
  try {
    await db.runMigrations({ transaction: "each" });
    await applySync(db, registry.definitions, { dataDir: "data/bench" });
  } finally {
    await db.destroy();
  }
}

export async function seed(database: BenchDatabase, scale: Scale): Promise<Record<string, number>> {
  await prepareSchema(database.url);
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query("BEGIN");
    // Triggers off (cycle check, per-row event ids) when allowed: the data is acyclic by
    // construction and ids are assigned in the insert. Without superuser rights they stay on.
    await client.query("SAVEPOINT replica");
    try {
      await client.query("SET LOCAL session_replication_role = replica");
    } catch {
      await client.query("ROLLBACK TO SAVEPOINT replica");
      logger.warn("not a superuser: loading with triggers on (slower)");
    }
    // CASCADE: tables that reference these (membership history) are emptied with them.
    await client.query(`TRUNCATE ${TABLES.join(", ")} CASCADE`);
    for (const [label, sql] of seedStatements(scale)) {
      const started = Date.now();
      await client.query(sql);
      process.stdout.write(`  ${label.padEnd(12)} ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS bench_meta`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS bench_meta.seed (scale text NOT NULL, seeded_at timestamptz NOT NULL)`,
    );
    await client.query(`TRUNCATE bench_meta.seed`);
    await client.query(`INSERT INTO bench_meta.seed VALUES ($1, now())`, [scale.name]);
    await client.query("COMMIT");
    const started = Date.now();
    await client.query(`VACUUM ANALYZE ${TABLES.join(", ")}`);
    // Flush the load to disk now, not during the first measurements (needs superuser; skipped otherwise).
    await client.query("CHECKPOINT").catch(() => undefined);
    process.stdout.write(`  ${"vacuum".padEnd(12)} ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      counts[table] = rows[0]!.n;
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** The scale the bench database holds, or null when it was never seeded. */
export async function seededScale(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ scale: string }>(
      `SELECT scale FROM bench_meta.seed WHERE to_regclass('bench_meta.seed') IS NOT NULL`,
    );
    return rows[0]?.scale ?? null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const scale = parseScale(values.scale);
  logger.setLevel("warn");
  const database = await openBenchDatabase();
  try {
    const started = Date.now();
    process.stdout.write(
      `seeding scale "${scale.name}" into ${database.where} (database ${new URL(database.url).pathname.slice(1)})\n`,
    );
    const counts = await seed(database, scale);
    process.stdout.write(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        Object.entries(counts)
          .map(([t, n]) => `${t} ${n.toLocaleString("en")}`)
          .join(", ") +
        "\n",
    );
  } finally {
    await database.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`seed:bench failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(1);
  });
}
