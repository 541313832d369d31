import { customRegistry } from "../custom-registry";
import { defaultRegistry } from "./default-registry";
import type { ModuleDefinition, PermissionDefinition, RegistryDefinitions, RoleDefinition } from "./types";

/**
 * Merges definition sets; a role named twice gets the union of the permissions listed for it (last
 * label/rank wins). Roles keep only what was listed for them here: what they inherit by rank is
 * added by `effectiveRoles`.
 */
export function mergeDefinitions(...sets: RegistryDefinitions[]): RegistryDefinitions {
  const roles = new Map<string, RoleDefinition>();
  for (const set of sets) {
    for (const role of set.roles) {
      const existing = roles.get(role.name);
      roles.set(role.name, {
        ...role,
        permissions: [...new Set([...(existing?.permissions ?? []), ...role.permissions])],
      });
    }
  }
  return {
    modules: sets.flatMap((s) => s.modules),
    permissions: sets.flatMap((s) => s.permissions),
    roles: [...roles.values()],
  };
}

/**
 * The roles with their effective permissions, lowest rank first: a role holds its own permissions
 * plus those of every role ranked below it (inherited ones first, lowest rank first, then its own;
 * no duplicates). Roles sharing a rank inherit nothing from each other; validateDefinitions refuses
 * them, since a rank must mean "holds at least what every lower rank holds".
 */
export function effectiveRoles(roles: readonly RoleDefinition[]): RoleDefinition[] {
  const sorted = [...roles].sort((a, b) => a.rank - b.rank);
  const result: RoleDefinition[] = [];
  let below: string[] = []; // everything held by the roles ranked below the current rank
  let atRank: string[] = []; // everything held by the roles of the current rank seen so far
  let rank: number | undefined;
  for (const role of sorted) {
    if (role.rank !== rank) {
      below = [...new Set([...below, ...atRank])];
      atRank = [];
      rank = role.rank;
    }
    const permissions = [...new Set([...below, ...role.permissions])];
    atRank.push(...permissions);
    result.push({ ...role, permissions });
  }
  return result;
}

/** Empty, or only whitespace, after trimming (a missing value counts as blank). */
function isBlank(value: string | undefined): boolean {
  return (value ?? "").trim() === "";
}

/** Every problem with a set of definitions, as readable sentences; empty when valid. */
export function validateDefinitions(defs: RegistryDefinitions): string[] {
  const problems: string[] = [];
  // A blank name, key or label would reach the tables, Query.roles and the console as an empty string.
  const named = [
    ...defs.modules.map((m) => ["module", "key", m.key, m.label] as const),
    ...defs.permissions.map((p) => ["permission", "key", p.key, p.label] as const),
    ...defs.roles.map((r) => ["role", "name", r.name, r.label] as const),
  ];
  for (const [kind, idField, id, label] of named) {
    const idBlank = isBlank(id);
    if (idBlank && isBlank(label)) problems.push(`a ${kind} has a blank ${idField} and a blank label`);
    else if (idBlank) problems.push(`${kind} labelled "${label}" has a blank ${idField}`);
    else if (isBlank(label)) problems.push(`${kind} "${id}" has a blank label`);
  }
  const moduleKeys = new Set<string>();
  for (const m of defs.modules) {
    if (moduleKeys.has(m.key)) problems.push(`module "${m.key}" is defined twice`);
    moduleKeys.add(m.key);
  }
  for (const m of defs.modules) {
    if (m.parent !== undefined && !moduleKeys.has(m.parent)) {
      problems.push(`module "${m.key}" names parent "${m.parent}", which is not defined`);
    }
  }
  const keys = new Set<string>();
  for (const p of defs.permissions) {
    if (keys.has(p.key)) problems.push(`permission "${p.key}" is defined twice`);
    keys.add(p.key);
    if (!p.key.includes(".")) problems.push(`permission "${p.key}" has no dot: keys are "<module>.<capability>"`);
    else if (!p.key.startsWith(`${p.module}.`) || p.key.length <= p.module.length + 1) {
      problems.push(`permission "${p.key}" does not start with its module "${p.module}" followed by a dot`);
    }
    if (!moduleKeys.has(p.module))
      problems.push(`permission "${p.key}" names module "${p.module}", which is not defined`);
  }
  const roleNames = new Set<string>();
  const rolesByRank = new Map<number, string[]>();
  for (const r of defs.roles) {
    if (roleNames.has(r.name)) problems.push(`role "${r.name}" is defined twice`);
    else rolesByRank.set(r.rank, [...(rolesByRank.get(r.rank) ?? []), r.name]);
    roleNames.add(r.name);
    if (!Number.isInteger(r.rank)) problems.push(`role "${r.name}" has a rank that is not an integer`);
    for (const key of r.permissions) {
      if (!keys.has(key)) problems.push(`role "${r.name}" grants "${key}", which is not a defined permission`);
    }
  }
  for (const [rank, names] of rolesByRank) {
    if (names.length < 2) continue;
    problems.push(
      `roles ${names.map((n) => `"${n}"`).join(" and ")} share rank ${rank}: give each role its own rank ` +
        `(a role holds the permissions of every role ranked below it, so ranks must be in a strict order)`,
    );
  }
  return problems;
}

/**
 * The permission registry as the running service sees it: static, in memory, so permission
 * lookups never touch the database. Each role's effective permission set (its own plus every
 * lower-ranked role's) is computed once here, so every check (`roleGrants`, `rolesGranting` and
 * the SQL built from it, `permissionsOf`, `Query.roles`) answers with the inherited ones.
 */
export class PermissionRegistry {
  readonly modules: readonly ModuleDefinition[];
  readonly permissions: readonly PermissionDefinition[];
  /** Lowest rank first, each with its effective permissions (see `effectiveRoles`). */
  readonly roles: readonly RoleDefinition[];
  private readonly grants = new Map<string, ReadonlySet<string>>();
  private readonly ranks = new Map<string, number>();
  private readonly holders = new Map<string, string[]>();

  constructor(readonly definitions: RegistryDefinitions) {
    this.modules = definitions.modules;
    this.permissions = definitions.permissions;
    this.roles = effectiveRoles(definitions.roles);
    for (const role of this.roles) {
      this.grants.set(role.name, new Set(role.permissions));
      this.ranks.set(role.name, role.rank);
    }
    for (const p of this.permissions) {
      this.holders.set(
        p.key,
        this.roles.filter((r) => r.permissions.includes(p.key)).map((r) => r.name),
      );
    }
  }

  isRole(name: string): boolean {
    return this.ranks.has(name);
  }

  isPermission(key: string): boolean {
    return this.holders.has(key);
  }

  rank(role: string): number {
    return this.ranks.get(role) ?? 0;
  }

  /** Whether `role` holds `permission`, by its own grant or inherited from a lower rank. */
  roleGrants(role: string, permission: string): boolean {
    return this.grants.get(role)?.has(permission) ?? false;
  }

  /** Names of the roles holding `permission`, lowest rank first (empty for an unknown key). */
  rolesGranting(permission: string): string[] {
    return this.holders.get(permission) ?? [];
  }

  /** Every permission key any of `roles` grants, sorted. */
  permissionsOf(roles: Iterable<string>): string[] {
    const keys = new Set<string>();
    for (const role of roles) for (const key of this.grants.get(role) ?? []) keys.add(key);
    return [...keys].sort();
  }

  /** The highest-ranked of `roles` (undefined for none). */
  highest(roles: Iterable<string>): string | undefined {
    let best: string | undefined;
    for (const role of roles) if (best === undefined || this.rank(role) > this.rank(best)) best = role;
    return best;
  }
}

/** The registry of this deployment: defaults plus the custom file. */
export const registry = new PermissionRegistry(mergeDefinitions(defaultRegistry, customRegistry));
