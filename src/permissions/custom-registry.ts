import type { RegistryDefinitions } from "./registry/types";

/**
 * A deployment's own permission definitions: THE file to edit to add modules, permissions and
 * roles. They are merged with the default registry (a role listed here with the name of a default
 * role adds its permissions to that role). A role holds its own permissions plus those of every
 * role ranked below it: granting a key to admin gives it to owner too; ranks must differ. Run
 * `npm run permissions:validate` after editing.
 *
 * Example:
 *   modules: [{ key: "breakdown.visit", label: "Visits", parent: "breakdown" }, { key: "breakdown", label: "Breakdown" }],
 *   permissions: [{ key: "breakdown.visit.schedule", module: "breakdown.visit", label: "Schedule visits" }],
 *   roles: [{ name: "admin", label: "Admin", rank: 30, permissions: ["breakdown.visit.schedule"] }],
 */
export const customRegistry: RegistryDefinitions = {
  modules: [],
  permissions: [],
  roles: [],
};
