import { graphql } from "./generated";
import { TestService, type TestUser } from "./utils/service";

/** SQL statements per request depend on the query's shape, never on list lengths. */

const ListShape = graphql(`
  query StatementsList($first: Int) {
    groups(first: $first) {
      nodes {
        parents {
          id
        }
        children {
          id
        }
        createdBy {
          id
        }
        memberCount
      }
    }
  }
`);

const Entities = `query StatementsEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Group { id name }
    ... on User { id userName: name }
  }
}`;

const GroupOnly = graphql(`
  query StatementsGroupOnly($id: ID!) {
    group(id: $id) {
      id
    }
  }
`);

const GroupAncestors = graphql(`
  query StatementsAncestors($id: ID!) {
    group(id: $id) {
      id
      ancestors {
        depth
        group {
          id
        }
      }
    }
  }
`);

const GroupDescendants = graphql(`
  query StatementsDescendants($id: ID!) {
    group(id: $id) {
      id
      descendants(first: 500) {
        totalCount
        nodes {
          depth
        }
      }
    }
  }
`);

async function seedGroups(svc: TestService, owner: TestUser, count: number, prefix: string): Promise<string[]> {
  // A chain of parents so every group has a parent and a child; half PUBLIC, half PRIVATE-owned.
  const rows = (await svc.db.query(
    `INSERT INTO groups (name, visibility, created_by)
     SELECT $1 || lpad(i::text, 4, '0'), CASE WHEN i % 2 = 0 THEN 'PUBLIC' ELSE 'PRIVATE' END, $2
     FROM generate_series(1, $3) i RETURNING id`,
    [prefix, owner.id, count],
  )) as { id: string }[];
  const ids = rows.map((r) => r.id);
  await svc.db.query(
    `INSERT INTO group_parents (child_id, parent_id) SELECT c, p FROM unnest($1::uuid[], $2::uuid[]) AS x(c, p)`,
    [ids.slice(1), ids.slice(0, -1)],
  );
  await svc.db.query(`INSERT INTO memberships (group_id, user_id, role) SELECT unnest($1::uuid[]), $2, 'owner'`, [
    ids,
    owner.id,
  ]);
  return ids;
}

describe("statement counts", () => {
  it("groups(first: 50) with parents, children, createdBy, memberCount: same for 5 as for 50 groups, 2", async () => {
    const counts: number[] = [];
    for (const size of [5, 50]) {
      const svc = await TestService.start();
      try {
        const owner = await svc.user();
        await svc.ok(`{ me { id } }`, {}, owner); // provisioning happens once, before measuring
        await seedGroups(svc, owner, size, "G");
        const { data, count } = await svc.statements(ListShape, { first: 50 }, owner);
        expect(data.groups.nodes).toHaveLength(size);
        expect(data.groups.nodes.filter((n) => n.parents.length === 1)).toHaveLength(size - 1);
        counts.push(count);
      } finally {
        await svc.stop();
      }
    }
    expect(counts[0]).toBe(counts[1]);
    // The page with every group's parents, children and memberCount (planned), then the creators.
    expect(counts[0]).toBe(2);
  });

  describe("on one service", () => {
    let svc: TestService;
    let admin: TestUser;
    beforeAll(async () => {
      svc = await TestService.start();
      admin = await svc.user({ admin: true });
      await svc.ok(`{ me { id } }`, {}, admin);
    });
    afterAll(() => svc.stop());

    it("_entities with 50 Group and 50 User representations costs one statement per type", async () => {
      const owner = await svc.user();
      await svc.ok(`{ me { id } }`, {}, owner);
      const groupIds = await seedGroups(svc, owner, 50, "E");
      const users = (await svc.db.query(
        `INSERT INTO users (name) SELECT 'U' || i FROM generate_series(1, 50) i RETURNING id`,
      )) as { id: string }[];
      const representations = [
        ...groupIds.map((id) => ({ __typename: "Group", id })),
        ...users.map((u) => ({ __typename: "User", id: u.id })),
      ];
      const res = await svc.gql<{ _entities: ({ id: string } | null)[] }, unknown>(
        Entities,
        { representations },
        admin,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities.map((e) => e?.id)).toEqual(representations.map((r) => r.id));
      expect(res.extensions!.sqlStatements).toBe(2);
    });

    it("ancestors in a 10,000-group DAG cost no statement beyond the group's, descendants one", async () => {
      // 10,000 groups, each under group floor(i/4) and ~10% also under a second, earlier group.
      await svc.db.query(
        `INSERT INTO groups (id, name, group_type)
         SELECT ('00000000-0000-4000-a000-' || lpad(i::text, 12, '0'))::uuid, 'D' || i, 'dag'
         FROM generate_series(0, 9999) i`,
      );
      await svc.db.query(
        `INSERT INTO group_parents (child_id, parent_id)
         SELECT ('00000000-0000-4000-a000-' || lpad(i::text, 12, '0'))::uuid,
                ('00000000-0000-4000-a000-' || lpad((i / 4)::text, 12, '0'))::uuid
         FROM generate_series(1, 9999) i
         UNION ALL
         SELECT ('00000000-0000-4000-a000-' || lpad(i::text, 12, '0'))::uuid,
                ('00000000-0000-4000-a000-' || lpad((i / 4 - 1)::text, 12, '0'))::uuid
         FROM generate_series(8, 9999) i WHERE i % 10 = 0
         ORDER BY 1`,
      );
      const root = "00000000-0000-4000-a000-000000000000";
      const deep = "00000000-0000-4000-a000-000000009999";
      const base = (await svc.statements(GroupOnly, { id: deep }, admin)).count;
      const up = await svc.statements(GroupAncestors, { id: deep }, admin);
      expect(up.data.group!.ancestors.length).toBeGreaterThanOrEqual(6);
      expect(up.data.group!.ancestors.at(-1)!.group.id).toBe(root);
      // Planned into the group's own statement (src/groups/group.plan.ts): no statement of its own.
      expect(up.count - base).toBe(0);
      const down = await svc.statements(GroupDescendants, { id: root }, admin);
      expect(down.data.group!.descendants.totalCount).toBe(9999);
      expect(down.count - base).toBe(1);
    });
  });
});
