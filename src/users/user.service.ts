import { registerConstraints, splitTotal } from "../db";
import { assertSelfOrGlobalAdmin } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { BadUserInputError, NotFoundError } from "../shared/errors";
import { isUuid } from "../shared/ids";
import { decodeKeyset, pageSize, toPage } from "../shared/pagination";
import type { User } from "./user.entity";
import type { CreateUserInput, UpdateUserInput } from "./user.inputs";
import { emailVisible, usersById } from "./user.loaders";
import { insertUser, provisionUser, updateUserRow, usersPage } from "./user.store";

registerConstraints({
  users_email_key: { kind: "conflict", field: "email", message: "email is already used by another user" },
  users_email_format: { kind: "input", field: "email", message: "must be an email address" },
});

/** Claims of a verified token that describe the caller. */
export interface IdentityClaims {
  sub: string;
  isGlobalAdmin: boolean;
  name?: string;
  email?: string;
  /** When the token expires (ms since the epoch), when it says. */
  expiresAt?: number;
}

/** Per database (tests and replicas may share a process): sub -> global-admin flag last written. */
const provisioned = new WeakMap<object, Map<string, boolean>>();
const PROVISION_CACHE_LIMIT = 50_000;

/**
 * Makes sure the caller has a User row: created from the token's claims on first use; afterwards
 * only the global-admin flag follows the latest token. A process-local memo skips the write when
 * nothing changed, so an ordinary request costs no provisioning statement.
 */
export async function provisionViewer(ctx: Pick<AppContext, "db">, claims: IdentityClaims): Promise<void> {
  let memo = provisioned.get(ctx.db);
  if (!memo) provisioned.set(ctx.db, (memo = new Map()));
  if (memo.get(claims.sub) === claims.isGlobalAdmin) return;
  const name = claims.name?.slice(0, 255) ?? null;
  const email =
    claims.email && claims.email.length <= 320 && /^[^@\s]+@[^@\s]+$/.test(claims.email) ? claims.email : null;
  // An email claim already taken by another user is dropped rather than refusing the caller.
  await provisionUser(ctx.db, { id: claims.sub, name, email, isGlobalAdmin: claims.isGlobalAdmin });
  if (memo.size >= PROVISION_CACHE_LIMIT) memo.clear();
  memo.set(claims.sub, claims.isGlobalAdmin);
}

export async function findUser(ctx: AppContext, id: string): Promise<User | null> {
  return usersById(ctx).load(id);
}

/** The user's email if the caller may see it, else null (no statement for oneself or a global admin). */
export function visibleEmail(ctx: AppContext, user: User): string | null | Promise<string | null> {
  if (user.email === null) return null;
  const viewer = requireViewer(ctx);
  if (viewer.isGlobalAdmin || viewer.id === user.id) return user.email;
  return emailVisible(ctx)
    .load(user.id)
    .then((visible) => (visible ? user.email : null));
}

export async function currentUser(ctx: AppContext): Promise<User> {
  const viewer = requireViewer(ctx);
  const user = await usersById(ctx).load(viewer.id);
  if (!user) throw new NotFoundError("User", viewer.id);
  return user;
}

export async function listUsers(
  ctx: AppContext,
  args: { search?: string | null; first?: number | null; after?: string | null },
) {
  const viewer = requireViewer(ctx);
  const first = pageSize(args.first, 50);
  const after = args.after ? decodeKeyset(args.after, ["string", "uuid"]) : null;
  const { rows, totalCount } = splitTotal(
    await usersPage(ctx.db, viewer, { search: args.search || null, after, limit: first + 1 }),
  );
  return { ...toPage(rows, first, (row) => [row.sortName, row.id]), totalCount };
}

export async function createUser(ctx: AppContext, input: CreateUserInput): Promise<User> {
  assertSelfOrGlobalAdmin(ctx, null, "createUser needs a global admin");
  return insertUser(ctx.db, input);
}

export async function updateUser(ctx: AppContext, id: string, input: UpdateUserInput): Promise<User> {
  requireViewer(ctx);
  if (!isUuid(id)) throw new NotFoundError("User", id);
  assertSelfOrGlobalAdmin(ctx, id, "updateUser needs a global admin or the user themself");
  if (input.name === null) throw BadUserInputError.field("name", "cannot be null");
  if (input.email === null) throw BadUserInputError.field("email", "cannot be null");
  const user = await updateUserRow(ctx.db, id, { name: input.name ?? null, email: input.email ?? null });
  if (!user) throw new NotFoundError("User", id);
  usersById(ctx).clear(id);
  return user;
}
