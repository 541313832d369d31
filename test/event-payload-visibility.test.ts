import { addMember, createGroup, provision } from "./utils/builders";
import { TestService, type TestUser } from "./utils/service";
import { WsCaller } from "./utils/subscriptions";

/**
 * Event payloads name other groups (parentIds, childId, before/after parentIds). A reader sees only
 * the ids of groups they may see: in the audit log and in live deliveries alike, a hidden id is
 * dropped from a list and null as a single value; groups(filter: {parentId}) does not confirm a
 * hidden parent's links (issue 16 point 7).
 */

interface Event {
  id: string;
  type: string;
  groupId: string;
  payload: Record<string, unknown>;
}

const LOG = `query ($id: ID!) { group(id: $id) { events(first: 100) { nodes { id type groupId payload } } } }`;
const LIVE = `subscription ($groupId: ID, $after: ID) { groupEvents(groupId: $groupId, after: $after) { id type groupId payload } }`;

describe("group ids in event payloads", () => {
  let svc: TestService;
  let owner: TestUser;
  let member: TestUser;
  let hidden: string;
  let visible: string;
  let child: string;
  const callers: WsCaller[] = [];

  beforeAll(async () => {
    svc = await TestService.start();
    owner = await svc.user();
    member = await svc.user();
    await provision(svc, owner, member);
    hidden = await createGroup(svc, owner, { name: "Hidden parent", visibility: "PRIVATE" });
    visible = await createGroup(svc, owner, {
      name: "Visible parent",
      visibility: "PUBLIC",
      permissionCascadeEnabled: false,
    });
    child = await createGroup(svc, owner, { name: "Child", parentIds: [hidden, visible] });
    await addMember(svc, owner, child, member);
  });
  afterAll(async () => {
    await Promise.all(callers.map((c) => c.close()));
    await svc.stop();
  });

  const log = async (as: TestUser, groupId: string) =>
    (await svc.ok<{ group: { events: { nodes: Event[] } } }, unknown>(LOG, { id: groupId }, as)).group.events.nodes;

  it("the member cannot see the hidden parent (the premise)", async () => {
    expect(
      (await svc.ok<{ group: unknown }, unknown>(`query ($id: ID!) { group(id: $id) { id } }`, { id: hidden }, member))
        .group,
    ).toBeNull();
  });

  it("GROUP_CREATED.parentIds in the audit log holds only the parents the reader may see", async () => {
    const created = (await log(member, child)).find((e) => e.type === "GROUP_CREATED")!;
    expect(created.payload.parentIds).toEqual([visible]);
    const forOwner = (await log(owner, child)).find((e) => e.type === "GROUP_CREATED")!;
    expect((forOwner.payload.parentIds as string[]).sort()).toEqual([hidden, visible].sort());
  });

  it("groups(filter: {parentId}) of a hidden parent confirms nothing; a visible parent's children are listed", async () => {
    const under = async (parentId: string) =>
      (
        await svc.ok<{ groups: { nodes: { id: string }[] } }, unknown>(
          `query ($p: ID!) { groups(filter: { parentId: $p }) { nodes { id } } }`,
          { p: parentId },
          member,
        )
      ).groups.nodes;
    expect(await under(hidden)).toEqual([]);
    expect(await under(visible)).toEqual([{ id: child }]);
    const forOwner = await svc.ok<{ groups: { nodes: { id: string }[] } }, unknown>(
      `query ($p: ID!) { groups(filter: { parentId: $p }) { nodes { id } } }`,
      { p: hidden },
      owner,
    );
    expect(forOwner.groups.nodes).toEqual([{ id: child }]);
  });

  it("live: GROUP_UPDATED before/after parentIds and CHILD_ADDED.childId are filtered for the reader", async () => {
    const caller = new WsCaller(svc.url, member.token);
    callers.push(caller);
    const [{ max }] = (await svc.db.query(`SELECT coalesce(max(id), 0)::text AS max FROM domain_events`)) as {
      max: string;
    }[];
    const stream = caller.subscribe<{ groupEvents: Event }, unknown>(LIVE, { groupId: child, after: max });
    // A PRIVATE sibling the member cannot see becomes the child's parent instead of the hidden one.
    const other = await createGroup(svc, owner, { name: "Other hidden", visibility: "PRIVATE" });
    await svc.ok(
      `mutation ($id: ID!, $p: [ID!]) { updateGroup(id: $id, input: { parentIds: $p }) { id } }`,
      { id: child, p: [visible, other] },
      owner,
    );
    const [update] = await stream.next(1);
    expect(update!.groupEvents.type).toBe("GROUP_UPDATED");
    expect(update!.groupEvents.payload).toEqual({
      fieldsChanged: ["parentIds"],
      before: { parentIds: [visible] },
      after: { parentIds: [visible] },
    });
    const stored = (await svc.db.query(`SELECT payload FROM domain_events WHERE id = $1`, [
      update!.groupEvents.id,
    ])) as {
      payload: { before: { parentIds: string[] } };
    }[];
    expect(stored[0]!.payload.before.parentIds).toContain(hidden); // the row keeps them all

    // In the visible parent's log (the member reads it as a member there; it does not cascade), a child the reader
    // cannot see is a null childId.
    await addMember(svc, owner, visible, member);
    const secret = await createGroup(svc, owner, { name: "Secret child", visibility: "PRIVATE", parentIds: [visible] });
    const added = (await log(member, visible)).filter((e) => e.type === "CHILD_ADDED");
    expect(added.map((e) => e.payload.childId)).toEqual([child, null]);
    expect((await log(owner, visible)).filter((e) => e.type === "CHILD_ADDED").map((e) => e.payload.childId)).toEqual([
      child,
      secret,
    ]);

    // Once deleted, a child's id stays readable by who could read its events then, and only them.
    await svc.ok(`mutation ($id: ID!) { deleteGroup(id: $id) }`, { id: secret }, owner);
    const removed = async (as: TestUser) =>
      (await log(as, visible)).filter((e) => e.type === "CHILD_REMOVED").map((e) => e.payload.childId);
    expect(await removed(member)).toEqual([null]);
    expect(await removed(owner)).toEqual([secret]);
  });
});
