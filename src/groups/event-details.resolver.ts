import { type ClassType, Ctx, Directive, FieldResolver, Resolver, Root } from "type-graphql";
import {
  ChildAddedDetails,
  ChildRemovedDetails,
  detailsOf,
  GroupCreatedDetails,
  GroupEvent,
  GroupEventDetails,
  GroupFieldValues,
} from "../events";
import type { AppContext } from "../shared/context";
import { UNPAGED_LIST } from "../shared/federation-directives";
import type { Row } from "../shared/row";
import { payloadFor } from "./event-payload";
import { Group, GroupVisibility, JoinPolicy } from "./group.entity";
import { findGroup } from "./group.queries";

/**
 * GroupEvent.details and the group side of the details types (events/ cannot import Group): the
 * details are read from payloadFor's payload, so a group id the reader may not see is null or left
 * out in details exactly as in payload; the Group fields resolve the ids that are left through
 * findGroup (groupsById and the caller's standing, batched per request: a page of events costs the
 * same statements for 5 events as for 50), null or left out once the group is gone.
 */
@Resolver(() => GroupEvent)
export class GroupEventDetailsResolver {
  @FieldResolver(() => GroupEventDetails, {
    nullable: true,
    description: `The payload as typed fields (one type per EventType; see GroupEventDetails). null only for an
event type this service does not know yet (written by a newer replica).`,
  })
  async details(@Root() event: Row<GroupEvent>, @Ctx() ctx: AppContext) {
    return detailsOf(event, await payloadFor(ctx, event));
  }
}

async function groups(ctx: AppContext, ids: readonly string[]): Promise<Group[]> {
  return (await Promise.all(ids.map((id) => findGroup(ctx, id)))).filter((g): g is Group => g !== null);
}

@Resolver(() => GroupCreatedDetails)
export class GroupCreatedDetailsResolver {
  @FieldResolver(() => [Group], { description: "the parents (of parentIds) that still exist" })
  @Directive(UNPAGED_LIST)
  parents(@Root() details: Row<GroupCreatedDetails>, @Ctx() ctx: AppContext): Promise<Group[]> {
    return groups(ctx, details.parentIds);
  }
}

@Resolver(() => GroupFieldValues)
export class GroupFieldValuesResolver {
  @FieldResolver(() => GroupVisibility, { nullable: true })
  visibility(@Root() values: Row<GroupFieldValues>): GroupVisibility | null {
    return values.visibility as GroupVisibility | null;
  }

  @FieldResolver(() => JoinPolicy, { nullable: true })
  joinPolicy(@Root() values: Row<GroupFieldValues>): JoinPolicy | null {
    return values.joinPolicy as JoinPolicy | null;
  }

  @FieldResolver(() => [Group], {
    nullable: true,
    description: "the parents (of parentIds) that still exist; null unless the parents changed",
  })
  @Directive(UNPAGED_LIST)
  parents(@Root() values: Row<GroupFieldValues>, @Ctx() ctx: AppContext): Promise<Group[]> | null {
    return values.parentIds ? groups(ctx, values.parentIds) : null;
  }
}

function childReference(type: ClassType<ChildAddedDetails | ChildRemovedDetails>): ClassType {
  @Resolver(() => type)
  class ChildReference {
    @FieldResolver(() => Group, { nullable: true, description: "the child group (childId) while it exists" })
    child(@Root() details: Row<ChildAddedDetails>, @Ctx() ctx: AppContext): Promise<Group | null> | null {
      return details.childId ? findGroup(ctx, details.childId) : null;
    }
  }
  return ChildReference;
}

/** Every resolver of this file (schema.ts registers them). */
export const GROUP_EVENT_DETAILS_RESOLVERS: readonly ClassType[] = [
  GroupEventDetailsResolver,
  GroupCreatedDetailsResolver,
  GroupFieldValuesResolver,
  childReference(ChildAddedDetails),
  childReference(ChildRemovedDetails),
];
