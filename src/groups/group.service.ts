import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { inTransaction, registerConstraints, retrying } from "../db";
import { EventType, type NewEvent, recordEvent, recordEvents } from "../events";
import { assertCan, canView, forgetViewerRoles, holdersAndAncestors } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, ConflictError, ForbiddenRuleError, NotFoundError } from "../shared/errors";
import { type Group, GroupVisibility, JoinPolicy } from "./group.entity";
import type { CreateGroupInput, UpdateGroupInput } from "./group.inputs";
import { groupsById } from "./group.loaders";
import * as store from "./group.store";

registerConstraints({
  groups_short_name_campus_key: {
    kind: "conflict",
    field: "shortName",
    message: "another group already uses this shortName on this campus",
  },
  group_parents_no_cycle: { kind: "input", field: "parentIds", message: "would create a cycle in the hierarchy" },
  group_parents_not_self: { kind: "input", field: "parentIds", message: "a group cannot be its own parent" },
  groups_name_length: { kind: "input", field: "name", message: "must be 1 to 255 characters" },
  groups_group_type_length: { kind: "input", field: "groupType", message: "must be 1 to 50 characters" },
  groups_url_scheme: { kind: "input", field: "url", message: "must be an http(s) URL" },
  groups_metadata_object: { kind: "input", field: "metadata", message: "must be an object" },
  // A parent deleted between the checks and the link (createGroup, updateGroup naming it).
  group_parents_parent_id_fkey: { kind: "notFound", what: "Group (parent)" },
  // The child itself deleted meanwhile.
  group_parents_child_id_fkey: { kind: "notFound", what: "Group" },
});

/** The group a mutation targets: NOT_FOUND when missing or invisible to the caller. */
export async function groupForMutation(ctx: AppContext, id: string): Promise<Group> {
  const group = await groupsById(ctx).load(id);
  if (!group || !(await canView(ctx, group))) throw new NotFoundError("Group", id);
  return group;
}

function assertVisibilityAllowed(ctx: AppContext, visibility: GroupVisibility | null | undefined): void {
  if (visibility === GroupVisibility.PUBLIC && !ctx.config.allowPublicGroups) {
    throw BadUserInputError.field(
      "visibility",
      "PUBLIC groups are disabled on this deployment (ALLOW_PUBLIC_GROUPS=false)",
    );
  }
}

/** Loads would-be parents and checks the caller may create under each one. */
async function assertParentsUsable(ctx: AppContext, parentIds: string[]): Promise<void> {
  const parents = await Promise.all(parentIds.map((id) => groupForMutation(ctx, id)));
  for (const parent of parents) await assertCan(ctx, "groups.create_subgroup", parent);
}

/**
 * Detaching needs the same right in the parent as attaching: groups.create_subgroup there (global
 * admins pass). A parent the caller cannot see is never named in the refusal.
 */
async function assertParentsDetachable(ctx: AppContext, parentIds: string[]): Promise<void> {
  for (const parent of await groupsById(ctx).loadMany(parentIds)) {
    if (!parent || parent instanceof Error) continue; // deleted meanwhile: nothing to detach from
    if (!(await canView(ctx, parent))) {
      throw new ForbiddenRuleError(
        "Missing permission groups.create_subgroup in a parent of this group that you cannot see: " +
          "detaching a group from a parent needs that right in the parent",
      );
    }
    await assertCan(ctx, "groups.create_subgroup", parent);
  }
}

/** One CHILD_ADDED or CHILD_REMOVED event in each parent. */
function childEvents(type: EventType, childId: string, parentIds: string[], actorId: string): NewEvent[] {
  return parentIds.map((parentId) => ({ type, groupId: parentId, actorId, payload: { childId } }));
}

/**
 * The facts (the parents: visible, groups.create_subgroup there) are read through the request's
 * loaders; the write is one statement (createGroupSql): the row, the parent links, the creator's
 * owner membership and the events GROUP_CREATED, MEMBER_ADDED and CHILD_ADDED, autocommitted. A
 * parent deleted meanwhile fails its foreign key (NOT_FOUND). The per-user quota, for anyone but a
 * global admin, needs a lock held across statements: then the creator's advisory lock and the
 * write go in one transaction, sent in one round trip.
 */
export async function createGroup(ctx: AppContext, input: CreateGroupInput): Promise<Group> {
  const viewer = requireViewer(ctx);
  assertVisibilityAllowed(ctx, input.visibility);
  const parentIds = [...new Set(input.parentIds ?? [])];
  await assertParentsUsable(ctx, parentIds);
  const max = ctx.config.maxGroupsPerUser;
  const group = await retrying(async () => {
    const id = randomUUID();
    const groupType = input.groupType ?? "organization";
    const row = await store.createGroupRow(ctx.db, {
      id,
      group: {
        name: input.name,
        groupType,
        description: input.description ?? null,
        shortName: input.shortName ?? null,
        url: input.url ?? null,
        knowledgeArea: input.knowledgeArea ?? null,
        campus: input.campus ?? null,
        visibility: input.visibility ?? GroupVisibility.PRIVATE,
        joinPolicy: input.joinPolicy ?? JoinPolicy.INVITE_ONLY,
        permissionCascadeEnabled: input.permissionCascadeEnabled ?? true,
        metadata: input.metadata ?? {},
        createdById: viewer.id,
      },
      parentIds,
      events: [
        {
          type: EventType.GROUP_CREATED,
          groupId: id,
          actorId: viewer.id,
          payload: { name: input.name, groupType, createdBy: viewer.id, parentIds },
        },
        {
          type: EventType.MEMBER_ADDED,
          groupId: id,
          userId: viewer.id,
          actorId: viewer.id,
          payload: { role: "owner", invitedBy: viewer.id, status: "ACTIVE", expiresAt: null },
        },
        ...childEvents(EventType.CHILD_ADDED, id, parentIds, viewer.id),
      ],
      quota: viewer.isGlobalAdmin ? null : { max },
    });
    if (row.id === null) {
      throw BadUserInputError.field(
        "input",
        `you have created ${row.createdBefore} groups, the most one user may (MAX_GROUPS_PER_USER=${max})`,
      );
    }
    const { createdBefore: _count, ...created } = row;
    return created as Group;
  });
  forgetViewerRoles(ctx);
  groupsById(ctx).prime(group.id, group);
  return group;
}

/** The fields an update may set (the input's and the entity's names alike); json ones compare deeply. */
const UPDATABLE: {
  field: keyof UpdateGroupInput & store.GroupChanges[number][0];
  nullable: boolean;
  json?: boolean;
}[] = [
  { field: "name", nullable: false },
  { field: "groupType", nullable: false },
  { field: "description", nullable: true },
  { field: "shortName", nullable: true },
  { field: "url", nullable: true },
  { field: "knowledgeArea", nullable: true },
  { field: "campus", nullable: true },
  { field: "visibility", nullable: false },
  { field: "joinPolicy", nullable: false },
  { field: "isActive", nullable: false },
  { field: "permissionCascadeEnabled", nullable: false },
  { field: "metadata", nullable: false, json: true },
];

export async function updateGroup(ctx: AppContext, id: string, input: UpdateGroupInput): Promise<Group> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, id);
  await assertCan(ctx, "groups.update", group);
  for (const { field, nullable } of UPDATABLE) {
    if (!nullable && input[field] === null) throw BadUserInputError.field(field, "cannot be null");
  }
  if (input.parentIds === null) throw BadUserInputError.field("parentIds", "cannot be null; use [] for a root group");
  assertVisibilityAllowed(ctx, input.visibility);
  const newParents = input.parentIds ? [...new Set(input.parentIds)].sort() : undefined;
  // Parents the caller was allowed to detach; checked again under the hierarchy lock.
  let detachable: string[] = [];
  if (newParents) {
    // Checked before the transaction: the checks read through the request's loaders (other pool
    // connections), which must not be needed while this request holds a connection and the lock.
    const current = await store.parentIdsOf(ctx.db, id);
    await assertParentsUsable(
      ctx,
      newParents.filter((p) => !current.includes(p)),
    );
    detachable = current.filter((p) => !newParents.includes(p));
    await assertParentsDetachable(ctx, detachable);
  }

  const updated = await inTransaction(ctx.db, async (tx) => {
    // Parent changes take the hierarchy lock first (the same one the cycle trigger takes), so
    // concurrent re-parentings queue instead of deadlocking on each other's row locks.
    if (newParents) await store.lockHierarchy(tx);
    const before = await store.lockForUpdate(tx, id);
    if (!before) throw new NotFoundError("Group", id);
    const changed = UPDATABLE.filter(
      ({ field, json }) =>
        input[field] !== undefined &&
        (json ? !isDeepStrictEqual(input[field], before[field]) : input[field] !== before[field]),
    );
    const fieldsChanged: string[] = changed.map((c) => c.field);
    const beforeValues: Record<string, unknown> = Object.fromEntries(changed.map((c) => [c.field, before[c.field]]));
    const afterValues: Record<string, unknown> = {};
    const events: NewEvent[] = [];
    if (newParents) {
      const current = (await store.parentIdsOf(tx, id)).sort();
      const added = newParents.filter((p) => !current.includes(p));
      const removed = current.filter((p) => !newParents.includes(p));
      if (removed.some((p) => !detachable.includes(p))) {
        throw new ConflictError("parentIds", "this group's parents changed meanwhile; read them again and retry");
      }
      await store.unlinkParents(tx, id, removed);
      await store.linkParents(tx, id, added);
      if (added.length > 0 || removed.length > 0) {
        fieldsChanged.push("parentIds");
        beforeValues.parentIds = current;
        afterValues.parentIds = newParents;
        events.push(
          ...childEvents(EventType.CHILD_ADDED, id, added, viewer.id),
          ...childEvents(EventType.CHILD_REMOVED, id, removed, viewer.id),
        );
      }
    }
    if (fieldsChanged.length === 0) return before;
    const after = await store.updateGroupRow(
      tx,
      id,
      changed.map(({ field }) => [field, input[field]]),
    );
    for (const { field } of changed) afterValues[field] = after[field];
    await recordEvents(tx, [
      {
        type: EventType.GROUP_UPDATED,
        groupId: id,
        actorId: viewer.id,
        payload: { fieldsChanged, before: beforeValues, after: afterValues },
      },
      ...events,
    ]);
    return after;
  });
  forgetViewerRoles(ctx);
  groupsById(ctx).clear(id).prime(id, updated);
  return updated;
}

/**
 * Hard delete: memberships and parent links go with it (ON DELETE CASCADE); children stay.
 * The row is locked first, so of concurrent deletions only the one that deletes it answers true and
 * records the events; the others find it gone: NOT_FOUND, nothing written.
 */
export async function deleteGroup(ctx: AppContext, id: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, id);
  await assertCan(ctx, "groups.delete", group);
  await inTransaction(ctx.db, async (tx) => {
    if (!(await store.lockForDelete(tx, id))) throw new NotFoundError("Group", id);
    await recordEvent(tx, {
      type: EventType.GROUP_DELETED,
      groupId: id,
      actorId: viewer.id,
      payload: { name: group.name, groupType: group.groupType },
      // Its subscribers hear of the deletion after the memberships are gone: keep who they were.
      reach: await holdersAndAncestors(tx, id, "events.view"),
    });
    await recordEvents(tx, childEvents(EventType.CHILD_REMOVED, id, await store.parentIdsOf(tx, id), viewer.id));
    await store.deleteGroupRow(tx, id);
  });
  forgetViewerRoles(ctx);
  groupsById(ctx).clear(id);
  return true;
}
