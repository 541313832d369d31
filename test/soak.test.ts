import { addMember, createGroup, provision } from "./utils/builders";
import { type GraphQLResponse, TestService, type TestUser } from "./utils/service";

/**
 * A bounded soak (SOAK_SECONDS, default 60): 24 concurrent clients mix reads and writes on one
 * hierarchy. Afterwards no answer was an internal error, the database invariants hold (checked
 * inline below), and every acknowledged write is stored unless an acknowledged removal may have
 * followed it. Latency is reported, not asserted (speed lives in the benchmark).
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CLIENTS = 24;

describe(`soak: ${CLIENTS} clients for ${SECONDS} s`, () => {
  let svc: TestService;
  let admin: TestUser;
  const users: TestUser[] = [];
  const groups: string[] = [];
  const initiatives: string[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true });
    for (let i = 0; i < 30; i++) users.push(await svc.user({ name: `Soak ${i}` }));
    await provision(svc, admin, ...users);
    const root = await createGroup(svc, admin, { name: "Soak root" });
    groups.push(root);
    const departments: string[] = [];
    for (let d = 0; d < 10; d++)
      departments.push(await createGroup(svc, admin, { name: `Dept ${d}`, parentIds: [root] }));
    groups.push(...departments);
    for (let t = 0; t < 30; t++) {
      const parents = t % 5 === 0 ? [departments[t % 10]!, departments[(t + 1) % 10]!] : [departments[t % 10]!];
      groups.push(await createGroup(svc, admin, { name: `Team ${t}`, parentIds: parents }));
    }
    for (let i = 0; i < users.length; i++)
      await addMember(svc, admin, groups[1 + (i % 10)]!, users[i]!, { role: "admin" });
    for (let i = 0; i < 6; i++) {
      const data = await svc.ok<{ createInitiative: { id: string } }, unknown>(
        `mutation ($i: CreateInitiativeInput!) { createInitiative(input: $i) { id } }`,
        { i: { name: `Initiative ${i}` } },
        admin,
      );
      initiatives.push(data.createInitiative.id);
    }
  }, 120_000);

  afterAll(() => svc.stop());

  it(
    "ends with no internal error, every invariant holding and every acknowledged group stored",
    async () => {
      const codes = new Map<string, number>();
      const latencies: number[] = [];
      const acknowledged: string[] = [];
      /** Acknowledged writes on a pair (group,user) or (group,initiative), with when they were sent and answered. */
      type Ack = { kind: "add" | "remove"; key: string; start: number; end: number };
      const members: Ack[] = [];
      const links: Ack[] = [];
      let operations = 0;
      const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
      const day = () => `2031-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;

      const run = async (doc: string, vars: Record<string, unknown>, as: TestUser, ack?: (res: Answer) => void) => {
        const started = performance.now();
        const res: Answer = await svc.gql(doc, vars, as);
        const ended = performance.now();
        latencies.push(ended - started);
        if (!res.errors?.length && res.data) {
          lastStart = started;
          lastEnd = ended;
          ack?.(res);
        }
        operations++;
        for (const e of res.errors ?? [])
          codes.set(String(e.extensions?.code), (codes.get(String(e.extensions?.code)) ?? 0) + 1);
        return res;
      };

      type Answer = GraphQLResponse<Record<string, { id?: string } | boolean | null>>;
      let lastStart = 0;
      let lastEnd = 0;
      const record = (list: Ack[], kind: Ack["kind"], key: string) => () =>
        list.push({ kind, key, start: lastStart, end: lastEnd });

      const step = async (me: TestUser) => {
        const g = pick(groups);
        const u = pick(users);
        switch (Math.floor(Math.random() * 12)) {
          case 0:
            return run(
              `query ($g: ID!) { group(id: $g) { name members(first: 20) { totalCount nodes { role user { name } } } } }`,
              { g },
              me,
            );
          case 1:
            return run(
              `query ($g: ID!) { group(id: $g) { descendants { totalCount } ancestors { depth } events(first: 5) { totalCount } } }`,
              { g },
              me,
            );
          case 2:
            return run(
              `query ($u: ID!, $g: ID!) { checkPermission(userId: $u, groupId: $g, permission: "members.add") { allowed } }`,
              { u: u.id, g },
              me,
            );
          case 3:
            return run(
              `mutation ($i: AddMemberInput!) { addMember(input: $i) { id } }`,
              { i: { groupId: g, userId: u.id, role: pick(["member", "viewer", "admin"]) } },
              me,
              record(members, "add", `${g}/${u.id}`),
            );
          case 4:
            return run(
              `mutation ($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }`,
              { g, u: u.id },
              me,
              record(members, "remove", `${g}/${u.id}`),
            );
          case 5:
            return run(
              `mutation ($g: ID!, $u: ID!, $r: String!) { updateMemberRole(groupId: $g, userId: $u, role: $r) { id } }`,
              { g, u: u.id, r: pick(["member", "viewer", "owner"]) },
              me,
            );
          case 6:
            return run(
              Math.random() < 0.5
                ? `mutation ($i: AddLeaderInput!) { addLeader(input: $i) { id } }`
                : `mutation ($i: RemoveLeaderInput!) { removeLeader(input: $i) { id } }`,
              { i: { groupId: g, userId: u.id, [Math.random() < 0.5 ? "startDate" : "endDate"]: day() } },
              me,
            );
          case 7: {
            const res = await run(
              `mutation ($i: CreateGroupInput!) { createGroup(input: $i) { id } }`,
              { i: { name: `Soak new ${operations}`, parentIds: [g] } },
              me,
            );
            const id = (res.data?.createGroup as { id?: string } | null | undefined)?.id;
            if (id) {
              acknowledged.push(id);
              groups.push(id);
            }
            return res;
          }
          case 8:
            // Re-parenting, cycles included: a group under one of its descendants must be refused.
            return run(
              `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
              { id: g, p: [pick(groups)] },
              me,
            );
          case 9: {
            const initiative = pick(initiatives);
            const link = Math.random() < 0.6;
            return run(
              `mutation ($i: ID!, $g: ID!) { ${link ? "linkInitiative" : "unlinkInitiative"}(initiativeId: $i, groupId: $g) { id } }`,
              { i: initiative, g },
              me,
              record(links, link ? "add" : "remove", `${g}/${initiative}`),
            );
          }
          case 10:
            return run(
              `query ($g: ID!) { group(id: $g) { initiatives { name } leaders { id startDate endDate } } }`,
              { g },
              me,
            );
          default:
            return run(
              `mutation ($g: ID!, $s: MembershipStatus!, $u: ID!) { setMemberStatus(groupId: $g, userId: $u, status: $s) { id } }`,
              { g, u: u.id, s: pick(["ACTIVE", "INACTIVE", "PENDING"]) },
              me,
            );
        }
      };

      const until = Date.now() + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, i) => {
          const me = i % 6 === 0 ? admin : users[i % users.length]!;
          while (Date.now() < until) await step(me);
        }),
      );

      latencies.sort((a, b) => a - b);
      const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(1);
      process.stdout.write(
        `soak: ${operations} operations in ${SECONDS} s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, errors ${JSON.stringify(Object.fromEntries(codes))}\n`,
      );
      expect(operations).toBeGreaterThan(CLIENTS);
      expect(codes.get("INTERNAL_SERVER_ERROR") ?? 0).toBe(0);

      const offenders = async (sql: string, params: unknown[] = []) =>
        ((await svc.db.query(sql, params)) as { id: string }[]).map((r) => r.id);
      // No cycle: no group reaches itself walking up its parents.
      expect(
        await offenders(`WITH RECURSIVE walk(start, node, path) AS (
            SELECT child_id, parent_id, ARRAY[child_id] FROM group_parents
            UNION ALL
            SELECT w.start, gp.parent_id, w.path || w.node FROM walk w
            JOIN group_parents gp ON gp.child_id = w.node WHERE NOT w.node = ANY(w.path)
          ) SELECT DISTINCT start::text AS id FROM walk WHERE node = start`),
      ).toEqual([]);
      expect(
        await offenders(`SELECT g.id::text AS id FROM groups g WHERE NOT EXISTS (
            SELECT 1 FROM memberships m WHERE m.group_id = g.id AND m.role = 'owner' AND m.status = 'ACTIVE')`),
      ).toEqual([]);
      expect(
        await offenders(`SELECT a.id::text AS id FROM leaderships a JOIN leaderships b
            ON a.group_id = b.group_id AND a.user_id = b.user_id AND a.id < b.id
           AND daterange(a.start_date, a.end_date) && daterange(b.start_date, b.end_date)`),
      ).toEqual([]);
      expect(
        await offenders(`SELECT g.id::text AS id FROM groups g WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.group_id = g.id AND e.type = 'GROUP_CREATED')`),
      ).toEqual([]);
      expect(
        await offenders(`SELECT m.id::text AS id FROM memberships m WHERE NOT EXISTS (
            SELECT 1 FROM domain_events e WHERE e.group_id = m.group_id AND e.user_id = m.user_id AND e.type = 'MEMBER_ADDED')`),
      ).toEqual([]);

      // Acknowledged creations are stored (nothing deletes groups here).
      expect(
        await offenders(
          `SELECT a::text AS id FROM unnest($1::uuid[]) a WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = a)`,
          [acknowledged],
        ),
      ).toEqual([]);
      // An acknowledged add must be stored unless an acknowledged removal of the same pair was
      // answered after the add was sent (it may have committed after the add).
      const mustExist = (acks: Ack[]) =>
        acks
          .filter((a) => a.kind === "add")
          .filter((a) => !acks.some((r) => r.kind === "remove" && r.key === a.key && r.end > a.start))
          .map((a) => a.key);
      const keep = { members: [...new Set(mustExist(members))], links: [...new Set(mustExist(links))] };
      const split = (keys: string[]) => [keys.map((k) => k.split("/")[0]), keys.map((k) => k.split("/")[1])];
      expect(
        await offenders(
          `SELECT a.g || '/' || a.u AS id FROM unnest($1::uuid[], $2::uuid[]) a(g, u)
           WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = a.g AND m.user_id = a.u)`,
          split(keep.members),
        ),
      ).toEqual([]);
      expect(
        await offenders(
          `SELECT a.g || '/' || a.i AS id FROM unnest($1::uuid[], $2::uuid[]) a(g, i)
           WHERE NOT EXISTS (SELECT 1 FROM group_initiatives l WHERE l.group_id = a.g AND l.initiative_id = a.i)`,
          split(keep.links),
        ),
      ).toEqual([]);
      process.stdout.write(
        `soak: acknowledged groups ${acknowledged.length}, member adds ${members.filter((a) => a.kind === "add").length} ` +
          `(removes ${members.filter((a) => a.kind === "remove").length}, checked ${keep.members.length}), ` +
          `initiative links ${links.filter((a) => a.kind === "add").length} (unlinks ${links.filter((a) => a.kind === "remove").length}, checked ${keep.links.length})\n`,
      );
    },
    (SECONDS + 120) * 1000,
  );
});
