import { registerGroupRelation } from "../groups";
import { reviveDates } from "../shared/json-rows";
import type { Initiative } from "./initiative.entity";
import { initiativesByGroupId } from "./initiative.loaders";
import { plannedInitiativesSql } from "./initiative.plan.store";

/** How groups' root statements read Group.initiatives (see groups/group.plan.ts). */

/** The Date fields of an Initiative row (startDate and endDate are YYYY-MM-DD text either way). */
const INITIATIVE_TIMESTAMPS = ["createdAt", "updatedAt"] as const satisfies readonly (keyof Initiative)[];

registerGroupRelation("initiatives", (_ctx, _args, groupId) => ({
  key: "initiatives",
  column: plannedInitiativesSql(groupId),
  prime: (ctx, id, value) => initiativesByGroupId(ctx).prime(id, reviveDates<Initiative>(value, INITIATIVE_TIMESTAMPS)),
}));
