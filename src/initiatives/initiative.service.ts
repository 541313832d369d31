import { type EntityManager, inTransaction, registerConstraints } from "../db";
import { EventType, recordEvent, recordEvents } from "../events";
import { type Group, groupForMutation } from "../groups";
import { assertCan, assertSelfOrGlobalAdmin } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import type { Initiative } from "./initiative.entity";
import type { CreateInitiativeInput, UpdateInitiativeInput } from "./initiative.inputs";
import { forgetLinks, initiativesById } from "./initiative.loaders";
import {
  changeLink,
  deleteInitiativeRow,
  deleteLinksOf,
  type InitiativeChanges,
  insertInitiative,
  lockInitiative,
  updateInitiativeRow,
} from "./initiative.store";

registerConstraints({
  initiatives_name_length: { kind: "input", field: "name", message: "must be 1 to 255 characters" },
  initiatives_dates_order: { kind: "input", field: "endDate", message: "must not be before the startDate" },
  initiatives_created_by_fkey: { kind: "notFound", what: "User" },
  group_initiatives_group_id_fkey: { kind: "notFound", what: "Group" },
  group_initiatives_initiative_id_fkey: { kind: "notFound", what: "Initiative" },
  group_initiatives_linked_by_fkey: { kind: "notFound", what: "User" },
});

/** Both dates are YYYY-MM-DD strings (the Date scalar checked them), so text order is date order. */
function assertDatesInOrder(startDate: string | null, endDate: string | null): void {
  if (startDate !== null && endDate !== null && endDate < startDate) {
    throw BadUserInputError.field("endDate", `must not be before the startDate (${startDate})`);
  }
}

/** Any authenticated user may create an initiative; it starts without groups. */
export async function createInitiative(ctx: AppContext, input: CreateInitiativeInput): Promise<Initiative> {
  const viewer = requireViewer(ctx);
  assertDatesInOrder(input.startDate ?? null, input.endDate ?? null);
  const created = await insertInitiative(ctx.db, {
    name: input.name,
    description: input.description ?? null,
    startDate: input.startDate ?? null,
    endDate: input.endDate ?? null,
    createdById: viewer.id,
  });
  initiativesById(ctx).prime(created.id, created);
  return created;
}

/**
 * Locks the initiative's row for the rest of the transaction and checks that the caller is its
 * creator or a global admin. The lock also holds off links made meanwhile (their foreign-key check
 * waits for it), so a delete sees every link it removes.
 */
async function lockOwnInitiative(ctx: AppContext, tx: EntityManager, id: string, verb: string): Promise<Initiative> {
  if (!isUuid(id)) throw new NotFoundError("Initiative", id);
  const row = await lockInitiative(tx, id);
  if (!row) throw new NotFoundError("Initiative", id);
  assertSelfOrGlobalAdmin(
    ctx,
    row.createdById,
    `Only the creator of initiative "${row.name}" or a global admin may ${verb} it`,
  );
  return row;
}

/** The fields an update may set (their columns come from the store's column map). */
const UPDATABLE: readonly (keyof InitiativeChanges)[] = ["name", "description", "startDate", "endDate"];

/** Only the fields given change; the date order is checked on the merge with the stored dates. */
export async function updateInitiative(ctx: AppContext, id: string, input: UpdateInitiativeInput): Promise<Initiative> {
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockOwnInitiative(ctx, tx, id, "update");
    if (input.name === null) throw BadUserInputError.field("name", "cannot be null");
    assertDatesInOrder(
      input.startDate !== undefined ? input.startDate : before.startDate,
      input.endDate !== undefined ? input.endDate : before.endDate,
    );
    const changes: InitiativeChanges = {};
    for (const field of UPDATABLE) {
      const value = input[field];
      if (value !== undefined && value !== before[field]) changes[field] = value;
    }
    if (Object.keys(changes).length === 0) return before;
    return updateInitiativeRow(tx, before.id, changes);
  });
  initiativesById(ctx).clear(updated.id).prime(updated.id, updated);
  forgetLinks(ctx);
  return updated;
}

/** Hard delete; every group it was linked to gets an INITIATIVE_UNLINKED event in the same transaction. */
export async function deleteInitiative(ctx: AppContext, id: string): Promise<boolean> {
  const viewer = requireViewer(ctx);
  await inTransaction(ctx.db, async (tx) => {
    const before = await lockOwnInitiative(ctx, tx, id, "delete");
    const linkedGroupIds = await deleteLinksOf(tx, before.id);
    await recordEvents(
      tx,
      linkedGroupIds.sort().map((groupId) => ({
        type: EventType.INITIATIVE_UNLINKED,
        groupId,
        userId: null,
        actorId: viewer.id,
        payload: { initiativeId: before.id, name: before.name, reason: "deleted" },
      })),
    );
    await deleteInitiativeRow(tx, before.id);
  });
  initiativesById(ctx).clear(id);
  forgetLinks(ctx);
  return true;
}

async function setLinked(ctx: AppContext, link: boolean, groupId: string, initiativeId: string): Promise<Group> {
  const viewer = requireViewer(ctx);
  const group = await groupForMutation(ctx, groupId);
  await assertCan(ctx, "initiatives.manage", group);
  if (!isUuid(initiativeId)) throw new NotFoundError("Initiative", initiativeId);
  await inTransaction(ctx.db, async (tx) => {
    const result = await changeLink(tx, link, group.id, initiativeId, viewer.id);
    if (!result) throw new NotFoundError("Initiative", initiativeId);
    // Linking what is already linked, or unlinking what is not, changes nothing: no event.
    if (!result.changed) return;
    await recordEvent(tx, {
      type: link ? EventType.INITIATIVE_LINKED : EventType.INITIATIVE_UNLINKED,
      groupId: group.id,
      userId: null,
      actorId: viewer.id,
      payload: { initiativeId: result.id, name: result.name },
    });
  });
  forgetLinks(ctx);
  return group;
}

/** Needs initiatives.manage in the group; idempotent. Answers the group. */
export function linkInitiative(ctx: AppContext, groupId: string, initiativeId: string): Promise<Group> {
  return setLinked(ctx, true, groupId, initiativeId);
}

/** Needs initiatives.manage in the group; idempotent. Answers the group. */
export function unlinkInitiative(ctx: AppContext, groupId: string, initiativeId: string): Promise<Group> {
  return setLinked(ctx, false, groupId, initiativeId);
}
