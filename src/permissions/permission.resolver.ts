import { Arg, Ctx, Directive, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { AppContext } from "../shared/context";
import { PUBLIC, UNPAGED_LIST } from "../shared/federation-directives";
import {
  findPermissionHealth,
  listPermissionModules,
  listPermissions,
  listRoles,
  permissionModulesByKey,
  permissionsByKey,
  permissionsByModule,
} from "./permission.queries";
import { Permission, PermissionHealth, PermissionModule, Role } from "./permission.types";
import type { Row } from "../shared/row";

/**
 * The registry as stored (permissions, modules) and as defined (roles); any authenticated caller
 * may read it. Module relatives go through per-request loaders: one statement per field, whatever
 * the number of modules.
 */
@Resolver(() => PermissionModule)
export class PermissionResolver {
  @Query(() => [Permission], { description: "keys: look up many at once (one query); unknown keys are left out" })
  @Directive(PUBLIC)
  @Directive(UNPAGED_LIST)
  permissions(
    @Ctx() ctx: AppContext,
    @Arg("keys", () => [String], { nullable: true }) keys?: string[],
    @Arg("module", () => String, { nullable: true }) module?: string,
    @Arg("capability", () => String, { nullable: true }) capability?: string,
    @Arg("includeInactive", () => Boolean, { nullable: true, defaultValue: false }) includeInactive?: boolean,
    @Arg("includeDeprecated", () => Boolean, { nullable: true, defaultValue: true }) includeDeprecated?: boolean,
  ): Promise<Permission[]> {
    return listPermissions(ctx, { keys, module, capability, includeInactive, includeDeprecated });
  }

  @Query(() => Permission, { nullable: true })
  @Directive(PUBLIC)
  permission(@Arg("key", () => String) key: string, @Ctx() ctx: AppContext): Promise<Permission | null> {
    return permissionsByKey(ctx).load(key);
  }

  @Query(() => [PermissionModule])
  @Directive(PUBLIC)
  @Directive(UNPAGED_LIST)
  permissionModules(@Ctx() ctx: AppContext): Promise<PermissionModule[]> {
    return listPermissionModules(ctx);
  }

  @Query(() => [Role])
  @Directive(PUBLIC)
  @Directive(UNPAGED_LIST)
  roles(): Role[] {
    return listRoles();
  }

  @Query(() => PermissionHealth)
  @Directive(PUBLIC)
  permissionHealth(@Ctx() ctx: AppContext): Promise<PermissionHealth> {
    return findPermissionHealth(ctx);
  }

  @FieldResolver(() => PermissionModule, { nullable: true })
  parent(@Root() module: Row<PermissionModule>, @Ctx() ctx: AppContext): Promise<PermissionModule | null> | null {
    return module.parentKey ? permissionModulesByKey(ctx).load(module.parentKey) : null;
  }

  // Named apart from the permissions query above; the schema calls it PermissionModule.permissions.
  @FieldResolver(() => [Permission], { name: "permissions", description: "active ones, deprecated included; by key" })
  @Directive(UNPAGED_LIST)
  modulePermissions(@Root() module: Row<PermissionModule>, @Ctx() ctx: AppContext): Promise<Permission[]> {
    return permissionsByModule(ctx).load(module.key);
  }
}
