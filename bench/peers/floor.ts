/**
 * The floor: node:http and pg, each shape answered by one hand-written SQL statement that builds
 * the answer's JSON in PostgreSQL (the reverse lookups R1 and R2 too; M1 is two: the add, then the
 * remove; Q0 none). No GraphQL, no auth, no validation: what is left is the cost of the data itself,
 * the bound any server here could reach. Every statement is prepared (a named query: parsed and planned once per connection, as the
 * service's are), so "service / floor" compares against that bound rather than against re-planning.
 * Run by the bench runner: `node -r dist/bench/lib/probe.js dist/bench/peers/floor.js` with PORT and
 * DATABASE_URL.
 */
import http from "node:http";
import { Pool } from "pg";
import {
  ADD_MEMBER,
  ANCESTORS,
  COUNTING,
  CREATE_GROUP,
  GRANTS,
  HELD_GROUPS,
  HOLDERS,
  REMOVE_MEMBER,
  TODAY,
} from "./sql";

const MEMBERS = (limit: string) => `(
  SELECT coalesce(json_agg(json_build_object('role', m.role, 'user', m.name) ORDER BY m.joined_at, m.id), '[]')
  FROM (SELECT a.role, u.name, a.joined_at, a.id FROM memberships a JOIN users u ON u.id = a.user_id
        WHERE a.group_id = g.id AND ${COUNTING} ORDER BY a.joined_at, a.id LIMIT ${limit}) m)`;

const MEMBER_COUNT = `(SELECT count(*)::int FROM memberships a WHERE a.group_id = g.id AND ${COUNTING})`;

const STATEMENTS = {
  add: ADD_MEMBER,
  remove: REMOVE_MEMBER,
  create: CREATE_GROUP,
  q1: `SELECT coalesce(json_agg(json_build_object('id', x.id, 'name', x.name, 'memberCount', x.n, 'parents', x.parents,
                                                 'members', x.members) ORDER BY x.name, x.id), '[]') AS answer
       FROM (SELECT g.id, g.name, ${MEMBER_COUNT} AS n,
                    (SELECT coalesce(json_agg(p.name ORDER BY p.name), '[]') FROM group_parents gp
                     JOIN groups p ON p.id = gp.parent_id WHERE gp.child_id = g.id) AS parents,
                    ${MEMBERS("$2")} AS members
             FROM groups g WHERE g.group_type = $1 AND g.is_active ORDER BY g.name, g.id LIMIT $3) x`,
  q2: `SELECT coalesce(json_agg(json_build_object('depth', x.depth, 'name', x.name) ORDER BY x.depth, x.name), '[]') AS answer
       FROM (${ANCESTORS}) x`,
  q3: `SELECT json_build_object('allowed', count(*) > 0, 'grants', coalesce(json_agg(json_build_object(
         'group', x.group_id, 'role', x.role, 'inherited', x.inherited, 'path', x.path)
         ORDER BY cardinality(x.path), x.role), '[]')) AS answer
       FROM (${GRANTS}) x`,
  r1: HELD_GROUPS,
  r2: HOLDERS,
  q4: `SELECT json_build_object(
         'name', g.name,
         'memberTotal', ${MEMBER_COUNT},
         'members', ${MEMBERS("20")},
         'leaders', (SELECT coalesce(json_agg(json_build_object('user', u.name, 'startDate', l.start_date)
                                              ORDER BY l.start_date, u.name), '[]')
                     FROM leaderships l JOIN users u ON u.id = l.user_id
                     WHERE l.group_id = g.id AND l.start_date <= ${TODAY} AND (l.end_date IS NULL OR l.end_date > ${TODAY})),
         'history', (SELECT coalesce(json_agg(json_build_object('user', u.name, 'startDate', l.start_date, 'endDate', l.end_date)
                                              ORDER BY l.start_date, u.name), '[]')
                     FROM leaderships l JOIN users u ON u.id = l.user_id WHERE l.group_id = g.id),
         'initiatives', (SELECT coalesce(json_agg(i.name ORDER BY i.name), '[]') FROM group_initiatives gi
                         JOIN initiatives i ON i.id = gi.initiative_id WHERE gi.group_id = g.id),
         'children', (SELECT coalesce(json_agg(c.name ORDER BY c.name), '[]') FROM group_parents gp
                      JOIN groups c ON c.id = gp.child_id WHERE gp.parent_id = g.id AND c.is_active)
       ) AS answer FROM groups g WHERE g.id = $1`,
};

type Body = Record<string, unknown>;

async function answer(pool: Pool, route: string, body: Body): Promise<unknown> {
  // A named query: pg prepares it on a connection's first use and then only binds and executes it.
  const one = async (name: keyof typeof STATEMENTS, values: unknown[]) =>
    (await pool.query({ name: `floor_${name}`, text: STATEMENTS[name], values })).rows[0];
  switch (route) {
    case "/health":
      return { ok: true };
    case "/q0":
      return { __typename: "Query" };
    case "/q1":
      return (await one("q1", [body.groupType, body.members, body.first])).answer;
    case "/q2":
      return (await one("q2", [body.groupId])).answer;
    case "/q3":
      return (await one("q3", [body.userId, body.groupId, body.permission])).answer;
    case "/q4":
      return (await one("q4", [body.groupId])).answer;
    case "/r1":
      return (await one("r1", [body.userId, body.permission, body.first])).answer;
    case "/r2":
      return (await one("r2", [body.groupId, body.permission, body.first])).answer;
    case "/m1": {
      const added = await one("add", [body.groupId, body.userId, "member", body.actorId]);
      const removed = await one("remove", [body.groupId, body.userId, body.actorId]);
      return { role: added.role, removed: removed.removed };
    }
    case "/m2": {
      const group = await one("create", [body.name, body.groupType, body.parentId, body.actorId]);
      return { name: group.name, groupType: group.group_type };
    }
    default:
      return undefined;
  }
}

function main(): void {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 10) });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: Body;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body) : {};
      } catch {
        res.writeHead(400).end();
        return;
      }
      answer(pool, req.url ?? "", body).then(
        (data) => {
          if (data === undefined) {
            res.writeHead(404).end();
            return;
          }
          const text = JSON.stringify({ data });
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
        },
      );
    });
  });
  server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
