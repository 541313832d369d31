/**
 * The contract's default registry (contract.graphql, "The default registry"), written out by hand
 * once for the tests, independently of src/permissions/registry/default-registry.ts: a drift in the
 * code then fails the tests instead of moving their expectations with it.
 */
export const CONTRACT_PERMISSIONS = [
  "groups.view",
  "groups.update",
  "groups.delete",
  "groups.create_subgroup",
  "members.view",
  "members.add",
  "members.remove",
  "members.change_role",
  "leaders.manage",
  "initiatives.manage",
  "events.view",
] as const;

export const VIEWER: string[] = ["groups.view"];
export const MEMBER: string[] = [...VIEWER, "members.view", "events.view"];
export const ADMIN: string[] = [
  ...MEMBER,
  "groups.update",
  "groups.create_subgroup",
  "members.add",
  "members.remove",
  "members.change_role",
  "leaders.manage",
  "initiatives.manage",
];
export const OWNER: string[] = [...ADMIN, "groups.delete"];

/** Each default role's rank and the permissions it grants. */
export const CONTRACT_ROLES: Record<string, { rank: number; permissions: string[] }> = {
  viewer: { rank: 10, permissions: VIEWER },
  member: { rank: 20, permissions: MEMBER },
  admin: { rank: 30, permissions: ADMIN },
  owner: { rank: 40, permissions: OWNER },
};
