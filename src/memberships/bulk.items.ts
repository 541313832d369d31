import { isEmail } from "class-validator";
import { registry } from "../permissions";
import {
  BadUserInputError,
  ConflictError,
  type ErrorDetails,
  ForbiddenRuleError,
  NotFoundError,
} from "../shared/errors";
import type { BulkMemberInput } from "./bulk.inputs";
import { MembershipStatus } from "./membership.entity";

/**
 * The items of the bulk mutations read without the database (bulk.service.ts decides the rest), and
 * how their refusals are reported: all of them per item index (the bulk mutations), or the first as
 * the typed error of a single mutation (inviteByEmail).
 */

/** The most members one addMembers or removeMembers call takes. */
export const MAX_BULK = 500;

/** Why an item is refused: its kind (the error code inviteByEmail answers with), field and message. */
export interface ItemError {
  kind: "input" | "conflict" | "forbidden" | "notFound";
  field: string;
  message: string;
}

/** An item of a bulk add once read: who (a user id, or an address), as what, or why it is refused. */
export interface AddItem {
  userId: string | null;
  email: string | null;
  role: string;
  status: MembershipStatus;
  expiresAt: Date | null;
  errors: ItemError[];
}

/** Text that is not well-formed UTF-16 (String.prototype.isWellFormed is ES2024). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The address as stored and compared: trimmed and lower-cased; null when it is not an address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > 320 || LONE_SURROGATE.test(email)) return null;
  // validator.js's isEmail; it threw on some malformed text once (hostile-mutations.test.ts).
  try {
    return isEmail(email) && /^[^@\s]+@[^@\s]+$/.test(email) ? email : null;
  } catch {
    return null;
  }
}

function roleError(role: string): ItemError | null {
  if (role.trim() === "") return { kind: "input", field: "role", message: "must not be blank" };
  if (!registry.isRole(role)) {
    const known = registry.roles.map((r) => r.name).join(", ");
    return { kind: "input", field: "role", message: `unknown role "${role}"; one of ${known}` };
  }
  return null;
}

export function assertCount(field: string, n: number): void {
  if (n === 0) throw BadUserInputError.field(field, "give at least one");
  if (n > MAX_BULK) throw BadUserInputError.field(field, `at most ${MAX_BULK} per call (${n} given)`);
}

/** An item read without the database: exactly one of userId and email, a valid address, role, expiry. */
export function readAddItem(input: BulkMemberInput, emailStatus: MembershipStatus): AddItem {
  const errors: ItemError[] = [];
  const hasId = input.userId != null;
  const hasEmail = input.email != null;
  if (hasId === hasEmail)
    errors.push({ kind: "input", field: "userId", message: "give exactly one of userId and email" });
  let email: string | null = null;
  if (hasEmail && !hasId) {
    email = normalizeEmail(input.email!);
    if (email === null) errors.push({ kind: "input", field: "email", message: "must be an email address" });
  }
  const role = input.role ?? "member";
  const bad = roleError(role);
  if (bad) errors.push(bad);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    errors.push({ kind: "input", field: "expiresAt", message: "must lie in the future" });
  }
  return {
    userId: hasId && !hasEmail ? input.userId!.toLowerCase() : null,
    email,
    role,
    // An address gets an invitation (PENDING) whether or not someone signed in with it yet.
    status: hasEmail ? emailStatus : MembershipStatus.ACTIVE,
    expiresAt,
    errors,
  };
}

/** Every item's refusals, under its index; throws BAD_USER_INPUT naming how many when there are any. */
export function throwItemErrors(field: string, errors: ItemError[][]): void {
  const details: ErrorDetails = {};
  errors.forEach((list, i) => {
    if (list.length) details[String(i)] = list.map((e) => `${e.field}: ${e.message}`);
  });
  const refused = Object.keys(details).length;
  if (refused === 0) return;
  throw new BadUserInputError(
    `${field}: ${refused} of ${errors.length} refused, nothing was changed; see extensions.details (item index -> reasons)`,
    details,
  );
}

/** One item's first refusal as the error of a single mutation (inviteByEmail). */
export function singleError(e: ItemError): Error {
  switch (e.kind) {
    case "conflict":
      return new ConflictError(e.field, e.message);
    case "forbidden":
      return new ForbiddenRuleError(e.message);
    case "notFound":
      // (A userId item's; inviteByEmail has none.)
      return new NotFoundError("User", e.field);
    default:
      return BadUserInputError.field(e.field, e.message);
  }
}
