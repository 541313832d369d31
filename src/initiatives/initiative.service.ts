import { type EntityManager, inTransaction, query, registerConstraints } from "../db";
import { EventType, recordEvent, recordEvents } from "../events";
import { type Group, groupForMutation } from "../groups";
import { assertCan, assertSelfOrGlobalAdmin } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { INITIATIVE_COLUMNS, type Initiative } from "./initiative.entity";
import type { CreateInitiativeInput, UpdateInitiativeInput } from "./initiative.inputs";
import { forgetLinks, initiativesById } from "./initiative.loaders";

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
  const [created] = await query<Initiative>(
    ctx.db,
    `INSERT INTO initiatives AS i (name, description, start_date, end_date, created_by)
     VALUES ($1, $2, $3::date, $4::date, $5) RETURNING ${INITIATIVE_COLUMNS}`,
    [input.name, input.description ?? null, input.startDate ?? null, input.endDate ?? null, viewer.id],
  );
  initiativesById(ctx).prime(created!.id, created!);
  return created!;
}

/**
 * Locks the initiative's row for the rest of the transaction and checks that the caller is its
 * creator or a global admin. The lock also holds off links made meanwhile (their foreign-key check
 * waits for it), so a delete sees every link it removes.
 */
async function lockOwnInitiative(ctx: AppContext, tx: EntityManager, id: string, verb: string): Promise<Initiative> {
  if (!isUuid(id)) throw new NotFoundError("Initiative", id);
  const [row] = await query<Initiative>(
    tx,
    `SELECT ${INITIATIVE_COLUMNS} FROM initiatives i WHERE i.id = $1 FOR UPDATE`,
    [id],
  );
  if (!row) throw new NotFoundError("Initiative", id);
  assertSelfOrGlobalAdmin(
    ctx,
    row.createdById,
    `Only the creator of initiative "${row.name}" or a global admin may ${verb} it`,
  );
  return row;
}

/** Columns an update may set, with their input field. */
const UPDATABLE: { field: keyof UpdateInitiativeInput & keyof Initiative; column: string; cast: string }[] = [
  { field: "name", column: "name", cast: "" },
  { field: "description", column: "description", cast: "" },
  { field: "startDate", column: "start_date", cast: "::date" },
  { field: "endDate", column: "end_date", cast: "::date" },
];

/** Only the fields given change; the date order is checked on the merge with the stored dates. */
export async function updateInitiative(ctx: AppContext, id: string, input: UpdateInitiativeInput): Promise<Initiative> {
  const updated = await inTransaction(ctx.db, async (tx) => {
    const before = await lockOwnInitiative(ctx, tx, id, "update");
    if (input.name === null) throw BadUserInputError.field("name", "cannot be null");
    assertDatesInOrder(
      input.startDate !== undefined ? input.startDate : before.startDate,
      input.endDate !== undefined ? input.endDate : before.endDate,
    );
    const changed = UPDATABLE.filter(({ field }) => input[field] !== undefined && input[field] !== before[field]);
    if (changed.length === 0) return before;
    const params: unknown[] = [before.id];
    const sets = changed.map(({ field, column, cast }) => {
      params.push(input[field]);
      return `${column} = $${params.length}${cast}`;
    });
    const [after] = await query<Initiative>(
      tx,
      `UPDATE initiatives AS i SET ${[...sets, "updated_at = now()"].join(", ")} WHERE i.id = $1
       RETURNING ${INITIATIVE_COLUMNS}`,
      params,
    );
    return after!;
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
    const links = await query<{ groupId: string }>(
      tx,
      `DELETE FROM group_initiatives WHERE initiative_id = $1 RETURNING group_id AS "groupId"`,
      [before.id],
    );
    await recordEvents(
      tx,
      links
        .map((l) => l.groupId)
        .sort()
        .map((groupId) => ({
          type: EventType.INITIATIVE_UNLINKED,
          groupId,
          userId: null,
          actorId: viewer.id,
          payload: { initiativeId: before.id, name: before.name, reason: "deleted" },
        })),
    );
    await tx.query(`DELETE FROM initiatives WHERE id = $1`, [before.id]);
  });
  initiativesById(ctx).clear(id);
  forgetLinks(ctx);
  return true;
}

/**
 * Links or unlinks in one statement; answers the initiative's id and name and whether anything changed,
 * or undefined when the initiative does not exist.
 */
async function changeLink(
  tx: EntityManager,
  link: boolean,
  groupId: string,
  initiativeId: string,
  actorId: string,
): Promise<{ id: string; name: string; changed: boolean } | undefined> {
  const change = link
    ? `INSERT INTO group_initiatives (group_id, initiative_id, linked_by) SELECT $1, i.id, $3 FROM i
       ON CONFLICT DO NOTHING RETURNING 1`
    : `DELETE FROM group_initiatives gi WHERE gi.group_id = $1 AND gi.initiative_id = $2 RETURNING 1`;
  const [row] = await query<{ id: string; name: string; changed: boolean }>(
    tx,
    `WITH i AS (SELECT id, name FROM initiatives WHERE id = $2), change AS (${change})
     SELECT i.id, i.name, EXISTS (SELECT 1 FROM change) AS changed FROM i`,
    link ? [groupId, initiativeId, actorId] : [groupId, initiativeId],
  );
  return row;
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
