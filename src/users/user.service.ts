import { type DataSource, registerConstraints, splitTotal } from "../db";
import { assertSelfOrGlobalAdmin } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { logger } from "../shared/logger";
import { BadUserInputError, NotFoundError, UnauthenticatedError } from "../shared/errors";
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
  /** The token's `email_verified` claim; only `false` (or "false") counts as unverified. */
  emailVerified?: boolean;
  /** When the token expires (ms since the epoch), when it says. */
  expiresAt?: number;
}

/**
 * What a sub's last provisioning on this replica was for (`key`, memoKey: the global-admin flag and
 * the verified address), and the raw claims of the last token seen that mean that key. A repeat
 * sign-in (the same raw claims: nearly every request) is recognised by comparing them, without
 * checking the address or building a key; other claims are normalised and compared by key.
 */
interface Provisioned {
  key: string;
  isGlobalAdmin: boolean;
  /** The raw `email` claim; null when it was too long to be an address (never kept, never matches). */
  email: string | undefined | null;
  emailVerified: boolean | undefined;
}

/**
 * What one replica (one DataSource: tests run several in a process) knows without a statement:
 * `provisioned`, sub -> what its last provisioning was for (Provisioned); `erased`, the subs it
 * refuses (loaded at start and kept current by erasure-watch.ts; erasures are rare, so all of them
 * are kept).
 */
interface ReplicaIdentities {
  provisioned: Map<string, Provisioned>;
  erased: Set<string>;
  /** Told of each user refused from now on: what is open for them (connections, subscriptions) ends. */
  listeners: Set<(ids: string[]) => void>;
}

const replicas = new WeakMap<object, ReplicaIdentities>();
const PROVISION_CACHE_LIMIT = 50_000;

function identitiesOf(db: object): ReplicaIdentities {
  let known = replicas.get(db);
  if (!known) replicas.set(db, (known = { provisioned: new Map(), erased: new Set(), listeners: new Set() }));
  return known;
}

/** The token of an erased user: refused on every replica once eraseUser returned. */
const ERASED = "This user has been erased";

/**
 * This replica refuses these users' tokens from now on, and forgets that it provisioned them (the
 * erasure's own replica at once, every other one when its erasure watch hears of it).
 */
export function refuseErasedUsers(db: object, ids: Iterable<string>): void {
  const known = identitiesOf(db);
  const refused: string[] = [];
  for (const id of ids) {
    if (!known.erased.has(id)) refused.push(id);
    known.erased.add(id);
    known.provisioned.delete(id);
  }
  if (refused.length === 0) return;
  for (const listener of known.listeners) {
    try {
      listener(refused);
    } catch (error) {
      logger.warn("closing an erased user's connections failed", { error: (error as Error).message });
    }
  }
}

/**
 * Calls `listener` with the users this replica refuses from now on (an erasure here or heard of):
 * the transports end what those users still have open. Returns the unregistration.
 */
export function onUsersRefused(db: object, listener: (ids: string[]) => void): () => void {
  const known = identitiesOf(db);
  known.listeners.add(listener);
  return () => known.listeners.delete(listener);
}

/**
 * The claim of the invitations a provisional user holds for `email` (memberships/claim.service.ts):
 * handed in by the composition root, as memberships imports users. Never throws; how many moved.
 */
export type InvitationClaim = (db: DataSource, userId: string, email: string) => Promise<number>;

/** The longest address kept (users.email is varchar(320)). */
const MAX_EMAIL_LENGTH = 320;

/**
 * The token's address when it may be stored and claim invitations: an address the token says is
 * unverified would let anyone who can put any address in a token take invitations meant for its
 * owner. Null otherwise.
 */
function verifiedEmail(claims: IdentityClaims): string | null {
  const email = claims.email;
  return email && claims.emailVerified !== false && email.length <= MAX_EMAIL_LENGTH && /^[^@\s]+@[^@\s]+$/.test(email)
    ? email
    : null;
}

/**
 * What a provisioning was for: the global-admin flag (written to the row) and the verified address
 * (which claims the invitations held for it): a token that changes either is provisioned again.
 */
function memoKey(isGlobalAdmin: boolean, email: string | null): string {
  return `${isGlobalAdmin}:${email?.toLowerCase() ?? ""}`;
}

/**
 * The memo entry for `key` and the raw claims that meant it. An `email` claim longer than any
 * address is not kept in memory (50,000 entries of whatever a token carries): such a token is
 * compared by key every time instead.
 */
function provisioned(key: string, claims: IdentityClaims): Provisioned {
  const email = claims.email === undefined || claims.email.length <= MAX_EMAIL_LENGTH ? claims.email : null;
  return { key, isGlobalAdmin: claims.isGlobalAdmin, email, emailVerified: claims.emailVerified };
}

/** Whether `claims` are the raw claims `last` remembers, so they mean its key. */
function sameClaims(last: Provisioned, claims: IdentityClaims): boolean {
  return (
    last.email === claims.email &&
    last.isGlobalAdmin === claims.isGlobalAdmin &&
    last.emailVerified === claims.emailVerified
  );
}

/**
 * Makes sure the caller has a User row: created from the token's claims on first use; afterwards
 * only the global-admin flag follows the latest token. When a provisional user holds the token's
 * verified address, its invitations are claimed (`claim`), whoever the caller is and whatever their
 * history. A process-local memo, keyed by what was provisioned (memoKey), skips the write when
 * nothing changed, so an ordinary request costs no provisioning statement, and a new verified
 * address costs one (and the claim, when there is something to claim) on each replica it reaches.
 * The memo also keeps the last token's raw claims: a repeat of them is recognised before the
 * address is checked or the key built, so an ordinary request costs no regex either.
 * An erased user is refused (UNAUTHENTICATED) before that, from memory; the write, when made, never
 * touches an erased row and refuses it too (a replica that has not heard of the erasure yet).
 */
export async function provisionViewer(
  ctx: Pick<AppContext, "db">,
  claims: IdentityClaims,
  claim: InvitationClaim,
): Promise<void> {
  const known = identitiesOf(ctx.db);
  if (known.erased.has(claims.sub)) throw new UnauthenticatedError(ERASED);
  const memo = known.provisioned;
  const last = memo.get(claims.sub);
  if (last && sameClaims(last, claims)) return;
  const email = verifiedEmail(claims);
  const key = memoKey(claims.isGlobalAdmin, email);
  if (last?.key === key) {
    // Other raw claims, the same meaning (the address in another case, say): nothing to write.
    memo.set(claims.sub, provisioned(key, claims));
    return;
  }
  const name = claims.name?.slice(0, 255) ?? null;
  // An email claim already taken by another user is dropped rather than refusing the caller.
  const { erased, claimable } = await provisionUser(
    ctx.db,
    { id: claims.sub, name, email, isGlobalAdmin: claims.isGlobalAdmin },
    email,
  );
  if (erased) {
    refuseErasedUsers(ctx.db, [claims.sub]);
    throw new UnauthenticatedError(ERASED);
  }
  // Invitations by email to this address (a provisional user holds it) become this user's.
  if (claimable && email) await claim(ctx.db, claims.sub, email);
  if (memo.size >= PROVISION_CACHE_LIMIT) memo.clear();
  memo.set(claims.sub, provisioned(key, claims));
}

export async function findUser(ctx: AppContext, id: string): Promise<User | null> {
  return usersById(ctx).load(id);
}

/** Whether the caller may see user `id`'s email (no statement for oneself or a global admin). */
export function canSeeEmailOf(ctx: AppContext, id: string): boolean | Promise<boolean> {
  const viewer = requireViewer(ctx);
  return viewer.isGlobalAdmin || viewer.id === id || emailVisible(ctx).load(id);
}

/** The user's email if the caller may see it, else null (no statement for oneself or a global admin). */
export function visibleEmail(ctx: AppContext, user: User): string | null | Promise<string | null> {
  if (user.email === null) return null;
  const visible = canSeeEmailOf(ctx, user.id);
  if (visible === true) return user.email;
  return Promise.resolve(visible).then((seen) => (seen ? user.email : null));
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
  const user = await updateUserRow(
    ctx.db,
    id,
    { name: input.name ?? null, email: input.email ?? null },
    !requireViewer(ctx).isGlobalAdmin,
  );
  if (!user) throw new NotFoundError("User", id);
  usersById(ctx).clear(id);
  return user;
}
