/** A permission module; keys may contain dots ("breakdown.visit") and modules may nest. */
export interface ModuleDefinition {
  key: string;
  label: string;
  description?: string;
  /** Key of the parent module, if any. */
  parent?: string;
}

/** A permission: key "<module>.<capability>". Never rename a key: add a new one and deprecate the old. */
export interface PermissionDefinition {
  key: string;
  /** The module this key belongs to; the key must start with it followed by a dot. */
  module: string;
  label: string;
  description?: string;
  deprecated?: boolean;
}

/** A role a membership can hold, its rank (higher = more power) and the permissions it grants. */
export interface RoleDefinition {
  name: string;
  label: string;
  /** An integer, unique among the roles: a role holds the permissions of every role ranked below it. */
  rank: number;
  /** Its own grants; those of lower-ranked roles come on top (listing them again changes nothing). */
  permissions: string[];
}

export interface RegistryDefinitions {
  modules: ModuleDefinition[];
  permissions: PermissionDefinition[];
  roles: RoleDefinition[];
}
