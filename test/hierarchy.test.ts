import { graphql } from "./generated";
import type { HierarchyRelativesQuery } from "./generated/graphql";
import { codes, TestService, type TestUser } from "./utils/service";

const Create = graphql(`
  mutation HierarchyCreate($input: CreateGroupInput!) {
    createGroup(input: $input) {
      id
    }
  }
`);

const SetParents = graphql(`
  mutation HierarchySetParents($id: ID!, $parentIds: [ID!]) {
    updateGroup(id: $id, input: { parentIds: $parentIds }) {
      id
      parents {
        id
      }
    }
  }
`);

const Relatives = graphql(`
  query HierarchyRelatives($id: ID!, $maxDepth: Int, $groupType: String, $first: Int, $after: String) {
    group(id: $id) {
      parents {
        name
      }
      children {
        name
      }
      ancestors(maxDepth: $maxDepth) {
        depth
        group {
          name
        }
      }
      descendants(maxDepth: $maxDepth, groupType: $groupType, first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          depth
          group {
            name
          }
        }
      }
    }
  }
`);

describe("hierarchy (a multi-parent DAG)", () => {
  let svc: TestService;
  let admin: TestUser;
  const id: Record<string, string> = {};

  const make = async (name: string, parents: string[] = [], groupType = "unit") => {
    const { createGroup } = await svc.ok(
      Create,
      { input: { name, groupType, parentIds: parents.map((p) => id[p]!) } },
      admin,
    );
    id[name] = createGroup.id;
  };

  beforeAll(async () => {
    svc = await TestService.start();
    admin = await svc.user({ admin: true });
    //        Acme
    //       /    \
    //   Eng        Sales
    //    |   \       |
    //  Backend  Platform (child of Eng and Sales)
    //      \     /
    //       Core (child of Backend and Platform: a diamond)
    await make("Acme", [], "organization");
    await make("Eng", ["Acme"], "department");
    await make("Sales", ["Acme"], "department");
    await make("Backend", ["Eng"], "team");
    await make("Platform", ["Eng", "Sales"], "team");
    await make("Core", ["Backend", "Platform"], "team");
  });
  afterAll(() => svc.stop());

  it("lists each ancestor once, nearest first, at its shortest depth", async () => {
    const { group } = await svc.ok(Relatives, { id: id.Core! }, admin);
    expect(group!.parents.map((p) => p.name)).toEqual(["Backend", "Platform"]);
    expect(group!.ancestors.map((a) => [a.group.name, a.depth])).toEqual([
      ["Backend", 1],
      ["Platform", 1],
      ["Eng", 2],
      ["Sales", 2],
      ["Acme", 3],
    ]);
    const near = await svc.ok(Relatives, { id: id.Core!, maxDepth: 2 }, admin);
    expect(near.group!.ancestors.map((a) => a.group.name)).toEqual(["Backend", "Platform", "Eng", "Sales"]);
  });

  it("lists each descendant once at its shortest depth, filtered and paginated", async () => {
    const { group } = await svc.ok(Relatives, { id: id.Acme! }, admin);
    expect(group!.children.map((c) => c.name)).toEqual(["Eng", "Sales"]);
    expect(group!.descendants.totalCount).toBe(5);
    expect(group!.descendants.nodes.map((d) => [d.group.name, d.depth])).toEqual([
      ["Eng", 1],
      ["Sales", 1],
      ["Backend", 2],
      ["Platform", 2],
      ["Core", 3],
    ]);
    const teams = await svc.ok(Relatives, { id: id.Acme!, groupType: "team" }, admin);
    expect(teams.group!.descendants.nodes.map((d) => d.group.name)).toEqual(["Backend", "Platform", "Core"]);
    const shallow = await svc.ok(Relatives, { id: id.Acme!, maxDepth: 1 }, admin);
    expect(shallow.group!.descendants.totalCount).toBe(2);

    const walked: string[] = [];
    let after: string | null | undefined = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: HierarchyRelativesQuery = await svc.ok(Relatives, { id: id.Acme!, first: 2, after }, admin);
      const page = res.group!.descendants;
      expect(page.totalCount).toBe(5);
      walked.push(...page.nodes.map((d) => d.group.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(["Eng", "Sales", "Backend", "Platform", "Core"]);
  });

  it("refuses a self-parent and any cycle with BAD_USER_INPUT", async () => {
    const self = await svc.gql(SetParents, { id: id.Eng!, parentIds: [id.Eng!] }, admin);
    expect(codes(self)).toEqual(["BAD_USER_INPUT"]);
    expect(self.errors![0]!.extensions!.details).toHaveProperty("parentIds");
    const cycle = await svc.gql(SetParents, { id: id.Acme!, parentIds: [id.Core!] }, admin);
    expect(codes(cycle)).toEqual(["BAD_USER_INPUT"]);
    expect(cycle.errors![0]!.message).toMatch(/cycle/);
    // nothing changed
    expect((await svc.ok(Relatives, { id: id.Acme! }, admin)).group!.parents).toEqual([]);
  });

  it("replaces the parent set, also to none", async () => {
    await make("Loose", ["Sales"]);
    const moved = await svc.ok(SetParents, { id: id.Loose!, parentIds: [id.Eng!, id.Backend!] }, admin);
    expect(moved.updateGroup.parents.map((p) => p.id).sort()).toEqual([id.Eng!, id.Backend!].sort());
    const root = await svc.ok(SetParents, { id: id.Loose!, parentIds: [] }, admin);
    expect(root.updateGroup.parents).toEqual([]);
  });

  it("refuses the second of two concurrent updates that would only together close a cycle", async () => {
    for (let round = 0; round < 5; round++) {
      const a = `A${round}`;
      const b = `B${round}`;
      await make(a);
      await make(b);
      const [ab, ba] = await Promise.all([
        svc.gql(SetParents, { id: id[a]!, parentIds: [id[b]!] }, admin),
        svc.gql(SetParents, { id: id[b]!, parentIds: [id[a]!] }, admin),
      ]);
      const outcomes = [codes(ab)[0] ?? "OK", codes(ba)[0] ?? "OK"].sort();
      expect(outcomes).toEqual(["BAD_USER_INPUT", "OK"]);
      const links = await svc.db.query(
        `SELECT count(*)::int AS n FROM group_parents WHERE child_id = ANY($1::uuid[])`,
        [[id[a], id[b]]],
      );
      expect(links[0].n).toBe(1);
    }
  });

  it("the database itself refuses a cycle, whatever the code path", async () => {
    await expect(
      svc.db.query(`INSERT INTO group_parents (child_id, parent_id) VALUES ($1, $2)`, [id.Acme, id.Core]),
    ).rejects.toThrow(/cycle/);
  });

  it("hides PRIVATE relatives the caller may not see", async () => {
    const outsider = await svc.user();
    await svc.ok(Create, { input: { name: "Open child", visibility: "PUBLIC", parentIds: [id.Core!] } }, admin);
    const res = await svc.ok(
      graphql(`
        query HierarchyOpen($name: String!) {
          groupByName(name: $name) {
            ancestors {
              group {
                name
              }
            }
            parents {
              name
            }
          }
        }
      `),
      { name: "Open child" },
      outsider,
    );
    expect(res.groupByName!.ancestors).toEqual([]);
    expect(res.groupByName!.parents).toEqual([]);
  });
});
