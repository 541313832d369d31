import { GraphQLJSONObject } from "graphql-scalars";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  ID,
  Int,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { EventType, GroupEvent, GroupEventConnection, groupEventPage, openStream, parseEventId } from "../events";
import { assertCan } from "../permissions";
import { type AppContext, requireViewer } from "../shared/context";
import { NotFoundError } from "../shared/errors";
import { pagedByFirst, PUBLIC, WALKS_ROWS } from "../shared/federation-directives";
import { payloadFor } from "./event-payload";
import { Group } from "./group.entity";
import { findGroup } from "./group.queries";
import type { Row } from "../shared/row";

@ArgsType()
class GroupEventsArgs {
  @Field(() => ID, { nullable: true })
  groupId?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  @Directive(WALKS_ROWS) // each event's ancestry is read to place it in the subtree
  includeDescendants?: boolean | null;

  @Field(() => [EventType], { nullable: true })
  types?: EventType[] | null;

  @Field(() => ID, { nullable: true })
  after?: string | null;
}

/** Subscription.groupEvents: the group must be visible and its events readable (events.view) now. */
async function groupEvents(ctx: AppContext, args: GroupEventsArgs) {
  requireViewer(ctx);
  const after = parseEventId(args.after, "after");
  if (args.groupId != null) {
    const group = await findGroup(ctx, args.groupId);
    if (!group) throw new NotFoundError("Group", args.groupId);
    await assertCan(ctx, "events.view", group);
  }
  return openStream(ctx, {
    groupId: args.groupId ?? null,
    includeDescendants: (args.groupId != null && args.includeDescendants) ?? false,
    types: args.types?.length ? new Set(args.types) : null,
    userId: null,
    after,
  });
}

/** The event fields of Group, GroupEvent.group, and the group event subscription (events/ cannot import Group). */
@Resolver(() => Group)
export class GroupEventsResolver {
  @FieldResolver(() => GroupEventConnection, {
    description: "This group's audit trail, oldest first. Needs events.view here; after: an event id.",
  })
  @Directive(pagedByFirst())
  async events(
    @Root() group: Row<Group>,
    @Ctx() ctx: AppContext,
    @Arg("types", () => [EventType], { nullable: true }) types?: EventType[],
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<GroupEventConnection> {
    await assertCan(ctx, "events.view", group);
    return groupEventPage(ctx, group.id, { types, first, after });
  }

  @Subscription(() => GroupEvent, {
    description: `Events of one group (all visible groups when groupId is null), optionally of
its descendants too. after: first replay every stored event with a larger id,
then go live, with no gap and no duplicate. Each event is checked at delivery: it reaches the
caller only while they hold events.view in its group.`,
    subscribe: ({ args, context }) => groupEvents(context as AppContext, args as GroupEventsArgs),
  })
  @Directive(PUBLIC)
  // Runs for every event delivered to every subscriber, called with the event only (its arguments
  // served at subscribe time; see callSubscriptionMethodsDirectly in src/federation/schema.ts).
  groupEvents(
    @Root() event: Row<GroupEvent>,
    @Args(() => GroupEventsArgs, { validate: false }) _args: GroupEventsArgs,
  ): GroupEvent {
    return event;
  }
}

@Resolver(() => GroupEvent)
export class GroupEventGroupResolver {
  @FieldResolver(() => Group, { nullable: true, description: "null once deleted (or when not visible to the caller)" })
  group(@Root() event: Row<GroupEvent>, @Ctx() ctx: AppContext): Promise<Group | null> {
    return findGroup(ctx, event.groupId);
  }

  @FieldResolver(() => GraphQLJSONObject, {
    description: "the event's fields; ids of groups the reader may not see are left out (null as a single value)",
  })
  payload(@Root() event: Row<GroupEvent>, @Ctx() ctx: AppContext): Promise<Record<string, unknown>> {
    return payloadFor(ctx, event);
  }
}
