import { Foundation1795000000000 } from "./1795000000000-Foundation";
import { PermissionRegistry1795000001000 } from "./1795000001000-PermissionRegistry";

/** Every migration, oldest first. `npm run migration:generate` writes a new file; add its class here. */
export const migrations = [Foundation1795000000000, PermissionRegistry1795000001000];
