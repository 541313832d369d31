/**
 * The benchmark's request shapes, each as the service, PostGraphile and the floor ask it, and how
 * each answer is brought to one canonical form: the runner refuses to measure a shape whose three
 * answers differ.
 */

export type ServerName = "service" | "postgraphile" | "floor";
export const SERVERS: readonly ServerName[] = ["service", "postgraphile", "floor"];

/**
 * Q0 is `{ __typename }`: no data at all, so what it costs is each server's fixed cost per request.
 * R1 and R2 are the reverse permission lookups (User.groupsWithPermission, Group.usersWithPermission).
 */
export type ShapeName = "Q0" | "Q1" | "Q2" | "Q3" | "Q4" | "R1" | "R2" | "M1" | "M2";
export const READ_SHAPES: readonly ShapeName[] = ["Q0", "Q1", "Q2", "Q3", "Q4", "R1", "R2"];
export const SHAPES: readonly ShapeName[] = ["Q0", "Q1", "Q2", "Q3", "Q4", "R1", "R2", "M1", "M2"];

/**
 * Whether a server answers a shape. PostGraphile serves tables, and a reverse lookup would be a SQL
 * function of ours (as Q3's is) measuring that function rather than PostGraphile: R1 and R2 are
 * compared with the floor only.
 */
export function serves(server: ServerName, shape: ShapeName): boolean {
  return server !== "postgraphile" || (shape !== "R1" && shape !== "R2");
}

/** Ids the shapes are about, picked from the seeded data by the runner. */
export interface Targets {
  /** The global admin the service's requests run as (also the actor of the peers' writes). */
  adminId: string;
  /** Q2: a group at the bottom of the hierarchy, under two parents. */
  deepGroupId: string;
  /** Q3: a user whose only membership is at the top of an 8-level chain, and the chain's bottom. */
  chainUserId: string;
  chainGroupId: string;
  /** Q4: a team with members, leaders, history, initiatives and children. */
  detailGroupId: string;
  /** M1: the group members are added to and removed from, and users who are in no group. */
  m1GroupId: string;
  spareUserIds: string[];
  /** M2: the parent new groups are created under. */
  m2ParentId: string;
}

export const Q1_GROUP_TYPE = "team";
export const Q3_PERMISSION = "members.add";
/** R1: the groups where Q3's chain user (an admin at the top of the chain) holds Q3's permission. */
export const R1_PERMISSION = Q3_PERMISSION;
/** R2: everyone holding this permission at the bottom of Q3's chain (its members and the chain's, up to the top). */
export const R2_PERMISSION = "members.view";
/** The page size of R1 and R2 (the fields' default). */
export const R_FIRST = 50;

export interface HttpRequest {
  path: string;
  body: string;
}

/** The n-th request of a shape to a server (n varies the writes: a different spare user, a new name). */
export function requestFor(server: ServerName, shape: ShapeName, t: Targets, n = 0, q1First = 50): HttpRequest {
  const spare = t.spareUserIds[n % t.spareUserIds.length]!;
  const m2Name = `Bench M2 ${process.pid}-${n}-${Date.now().toString(36)}`;
  if (server === "floor") {
    const bodies: Record<ShapeName, object> = {
      Q0: {},
      Q1: { groupType: Q1_GROUP_TYPE, first: q1First, members: 10 },
      Q2: { groupId: t.deepGroupId },
      Q3: { userId: t.chainUserId, groupId: t.chainGroupId, permission: Q3_PERMISSION },
      Q4: { groupId: t.detailGroupId },
      R1: { userId: t.chainUserId, permission: R1_PERMISSION, first: R_FIRST },
      R2: { groupId: t.chainGroupId, permission: R2_PERMISSION, first: R_FIRST },
      M1: { groupId: t.m1GroupId, userId: spare, actorId: t.adminId },
      M2: { name: m2Name, groupType: "bench", parentId: t.m2ParentId, actorId: t.adminId },
    };
    return { path: `/${shape.toLowerCase()}`, body: JSON.stringify(bodies[shape]) };
  }
  const [query, variables] = graphql(server, shape, t, spare, m2Name, q1First);
  return { path: "/graphql", body: JSON.stringify({ query, variables }) };
}

function graphql(
  server: "service" | "postgraphile",
  shape: ShapeName,
  t: Targets,
  spare: string,
  m2Name: string,
  q1First: number,
): [string, Record<string, unknown>] {
  const service = server === "service";
  switch (shape) {
    case "Q0":
      return [`{ __typename }`, {}];
    case "Q1":
      return service
        ? [
            `query Q1($type: String!, $first: Int!) {
               groups(filter: { groupType: $type }, orderBy: { field: NAME }, first: $first) {
                 nodes { id name memberCount parents { name } members(first: 10) { nodes { role user { name } } } }
               }
             }`,
            { type: Q1_GROUP_TYPE, first: q1First },
          ]
        : [
            `query Q1($type: String!, $first: Int!) {
               benchGroupsByType(groupType: $type, first: $first) {
                 nodes {
                   rowId name memberCount
                   groupParentsByChildId { nodes { groupByParentId { name } } }
                   activeMembers(first: 10) { nodes { role userByUserId { name } } }
                 }
               }
             }`,
            { type: Q1_GROUP_TYPE, first: q1First },
          ];
    case "Q2":
      return service
        ? [`query Q2($id: ID!) { group(id: $id) { ancestors { depth group { name } } } }`, { id: t.deepGroupId }]
        : [
            `query Q2($id: UUID!) { groupByRowId(rowId: $id) { ancestors { nodes { depth name } } } }`,
            { id: t.deepGroupId },
          ];
    case "Q3":
      return service
        ? [
            `query Q3($user: ID!, $group: ID!, $permission: String!) {
               checkPermission(userId: $user, groupId: $group, permission: $permission) {
                 allowed grants { group { id } role inherited path { id } }
               }
             }`,
            { user: t.chainUserId, group: t.chainGroupId, permission: Q3_PERMISSION },
          ]
        : [
            `query Q3($user: UUID!, $group: UUID!, $permission: String!) {
               benchCheckPermission(userId: $user, groupId: $group, permission: $permission) {
                 nodes { groupId role inherited path }
               }
             }`,
            { user: t.chainUserId, group: t.chainGroupId, permission: Q3_PERMISSION },
          ];
    case "Q4":
      return service
        ? [
            `query Q4($id: ID!) {
               group(id: $id) {
                 name
                 members(first: 20) { totalCount nodes { role user { name } } }
                 leaders { startDate user { name } }
                 leadershipHistory { startDate endDate user { name } }
                 initiatives { name }
                 children { name }
               }
             }`,
            { id: t.detailGroupId },
          ]
        : [
            `query Q4($id: UUID!) {
               groupByRowId(rowId: $id) {
                 name
                 activeMembers(first: 20) { totalCount nodes { role userByUserId { name } } }
                 currentLeaders { nodes { startDate userByUserId { name } } }
                 leadershipsByGroupId(orderBy: [START_DATE_ASC, PRIMARY_KEY_ASC]) {
                   nodes { startDate endDate userByUserId { name } }
                 }
                 groupInitiativesByGroupId { nodes { initiativeByInitiativeId { name } } }
                 activeChildren { nodes { name } }
               }
             }`,
            { id: t.detailGroupId },
          ];
    case "R1":
    case "R2":
      if (!service) throw new Error(`PostGraphile does not answer ${shape} (see serves)`);
      return shape === "R1"
        ? [
            `query R1($user: ID!, $permission: String!, $first: Int!) {
               user(id: $user) { groupsWithPermission(permission: $permission, first: $first) { totalCount nodes { id name } } }
             }`,
            { user: t.chainUserId, permission: R1_PERMISSION, first: R_FIRST },
          ]
        : [
            `query R2($group: ID!, $permission: String!, $first: Int!) {
               group(id: $group) {
                 usersWithPermission(permission: $permission, first: $first) {
                   totalCount nodes { user { id name } grants { group { id } role inherited path { id } } }
                 }
               }
             }`,
            { group: t.chainGroupId, permission: R2_PERMISSION, first: R_FIRST },
          ];
    case "M1":
      return service
        ? [
            `mutation M1($group: ID!, $user: ID!) {
               add: addMember(input: { groupId: $group, userId: $user, role: "member" }) { role }
               remove: removeMember(groupId: $group, userId: $user)
             }`,
            { group: t.m1GroupId, user: spare },
          ]
        : [
            `mutation M1($group: UUID!, $user: UUID!, $actor: UUID!) {
               add: benchAddMember(input: { groupId: $group, userId: $user, role: "member", actorId: $actor }) {
                 result { role }
               }
               remove: benchRemoveMember(input: { groupId: $group, userId: $user, actorId: $actor }) { result }
             }`,
            { group: t.m1GroupId, user: spare, actor: t.adminId },
          ];
    case "M2":
      return service
        ? [
            `mutation M2($name: String!, $parent: ID!) {
               createGroup(input: { name: $name, groupType: "bench", parentIds: [$parent] }) { name groupType }
             }`,
            { name: m2Name, parent: t.m2ParentId },
          ]
        : [
            `mutation M2($name: String!, $parent: UUID!, $actor: UUID!) {
               benchCreateGroup(input: { name: $name, groupType: "bench", parentId: $parent, actorId: $actor }) {
                 result { name groupType }
               }
             }`,
            { name: m2Name, parent: t.m2ParentId, actor: t.adminId },
          ];
  }
}

type Json = Record<string, unknown>;
/** GraphQL answers are walked by their known shape; checking each step's type would only add noise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const names = (list: { name: string }[]) => list.map((x) => x.name).sort();
const byStartThenUser = (a: Json, b: Json) =>
  String(a.startDate).localeCompare(String(b.startDate)) || String(a.user).localeCompare(String(b.user));

/**
 * The canonical answer of a shape from a server's `data`. M2 leaves out the generated name: each
 * request creates a different group.
 */
export function canonical(server: ServerName, shape: ShapeName, data: Json): unknown {
  if (server === "floor") {
    if (shape === "M2") return { groupType: (data as Json).groupType };
    return data;
  }
  const d = data as Loose;
  const service = server === "service";
  switch (shape) {
    case "Q0":
      return d;
    case "Q1": {
      const nodes = service ? d.groups.nodes : d.benchGroupsByType.nodes;
      return nodes.map((g: Json & Loose) => ({
        id: service ? g.id : g.rowId,
        name: g.name,
        memberCount: g.memberCount,
        parents: service ? names(g.parents) : names(g.groupParentsByChildId.nodes.map((e: Json) => e.groupByParentId)),
        members: (service ? g.members.nodes : g.activeMembers.nodes).map((m: Loose) => ({
          role: m.role,
          user: service ? m.user.name : m.userByUserId.name,
        })),
      }));
    }
    case "Q2": {
      const list: { depth: number; name: string }[] = service
        ? d.group.ancestors.map((r: Loose) => ({ depth: r.depth, name: r.group.name }))
        : d.groupByRowId.ancestors.nodes;
      return [...list]
        .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name))
        .map(({ depth, name }) => ({ depth, name }));
    }
    case "Q3": {
      if (service) {
        const c = d.checkPermission;
        return {
          allowed: c.allowed,
          grants: c.grants.map((g: Loose) => ({
            group: g.group.id,
            role: g.role,
            inherited: g.inherited,
            path: g.path.map((p: Json) => p.id),
          })),
        };
      }
      const grants = d.benchCheckPermission.nodes.map((g: Json) => ({
        group: g.groupId,
        role: g.role,
        inherited: g.inherited,
        path: g.path,
      }));
      return { allowed: grants.length > 0, grants };
    }
    case "Q4": {
      const g = service ? d.group : d.groupByRowId;
      const members = service ? g.members : g.activeMembers;
      const user = (x: Loose) => (service ? x.user.name : x.userByUserId.name);
      return {
        name: g.name,
        memberTotal: members.totalCount,
        members: members.nodes.map((m: Json) => ({ role: m.role, user: user(m) })),
        leaders: (service ? g.leaders : g.currentLeaders.nodes)
          .map((l: Json) => ({ user: user(l), startDate: l.startDate }))
          .sort(byStartThenUser),
        history: (service ? g.leadershipHistory : g.leadershipsByGroupId.nodes)
          .map((l: Json) => ({ user: user(l), startDate: l.startDate, endDate: l.endDate }))
          .sort(byStartThenUser),
        initiatives: service
          ? names(g.initiatives)
          : names(g.groupInitiativesByGroupId.nodes.map((x: Json) => x.initiativeByInitiativeId)),
        children: service ? names(g.children) : names(g.activeChildren.nodes),
      };
    }
    case "R1":
      return d.user.groupsWithPermission;
    case "R2": {
      const page = d.group.usersWithPermission;
      return {
        totalCount: page.totalCount,
        nodes: page.nodes.map((h: Loose) => ({
          user: h.user,
          grants: h.grants.map((g: Loose) => ({
            group: g.group.id,
            role: g.role,
            inherited: g.inherited,
            path: g.path.map((p: Json) => p.id),
          })),
        })),
      };
    }
    case "M1":
      return service ? { role: d.add.role, removed: d.remove } : { role: d.add.result.role, removed: d.remove.result };
    case "M2":
      return { groupType: service ? d.createGroup.groupType : d.benchCreateGroup.result.groupType };
  }
}
