import type { TestService, TestUser } from "./service";

/**
 * Seeding through the public API (a test reads like what a client does): each builder runs one
 * mutation and fails the test on any error.
 */

/** Makes sure the user's row exists (users are provisioned on their first request). */
export async function provision(svc: TestService, ...users: TestUser[]): Promise<void> {
  for (const user of users) await svc.ok(`{ me { id } }`, {}, user);
}

export interface GroupSpec {
  name?: string;
  parentIds?: string[];
  visibility?: "PUBLIC" | "PRIVATE";
  permissionCascadeEnabled?: boolean;
  groupType?: string;
}

let counter = 0;

/** Creates a group as `as` (who becomes its owner); answers its id. */
export async function createGroup(svc: TestService, as: TestUser, spec: GroupSpec = {}): Promise<string> {
  const input = { name: spec.name ?? `Group ${++counter}`, ...spec };
  const data = await svc.ok<{ createGroup: { id: string } }, unknown>(
    `mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
    { input },
    as,
  );
  return data.createGroup.id;
}

/** A chain root -> ... -> leaf of `length` groups, each the parent of the next; answers the ids, root first. */
export async function createChain(
  svc: TestService,
  as: TestUser,
  length: number,
  spec: Omit<GroupSpec, "parentIds"> = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < length; i++) {
    ids.push(await createGroup(svc, as, { ...spec, name: `${spec.name ?? "Level"} ${i}`, parentIds: ids.slice(-1) }));
  }
  return ids;
}

export interface MemberSpec {
  role?: string;
  status?: "ACTIVE" | "PENDING";
  expiresAt?: string;
}

/** Adds `user` to the group as `as` (provisioning the user first); answers the membership id. */
export async function addMember(
  svc: TestService,
  as: TestUser,
  groupId: string,
  user: TestUser,
  spec: MemberSpec = {},
): Promise<string> {
  await provision(svc, user);
  const data = await svc.ok<{ addMember: { id: string } }, unknown>(
    `mutation ($input: AddMemberInput!) { addMember(input: $input) { id } }`,
    { input: { groupId, userId: user.id, ...spec } },
    as,
  );
  return data.addMember.id;
}
