import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Directive,
  Field,
  ID,
  InputType,
  Int,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { NotFoundError } from "../shared/errors";
import { type AppContext, requireViewer } from "../shared/context";
import { pagedByFirst, PUBLIC } from "../shared/federation-directives";
import { isUuid } from "../shared/ids";
import { connectionOf } from "../shared/pagination";
import { usersById } from "../users";
import { EventType, GroupEvent } from "./event.entity";
import { listEvents, parseEventId } from "./event.queries";
import { type EventHub, type StreamSpec } from "./hub";
import type { Row } from "../shared/row";

@ObjectType({
  simpleResolvers: true,
  description: "A page of the audit log; a node's id is also its cursor (`after`).",
})
export class GroupEventConnection extends connectionOf(GroupEvent) {}

@InputType()
export class EventFilter {
  @Field(() => ID, { nullable: true })
  groupId?: string | null;

  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => [EventType], { nullable: true })
  types?: EventType[] | null;

  @Field(() => Date, { nullable: true, description: "events that occurred at or after this instant" })
  since?: Date | null;
}

@ArgsType()
class MembershipChangesArgs {
  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => ID, { nullable: true })
  after?: string | null;
}

/** The hub serving subscriptions in this process (set on the context by the server). */
export function hubOf(ctx: AppContext): EventHub {
  if (!ctx.eventHub) throw new Error("this process serves no subscriptions: it has no event hub");
  return ctx.eventHub as EventHub;
}

/**
 * Opens a validated subscription stream for the caller, on whichever transport carries it
 * (graphql-ws, GraphQL over SSE, a router's callback: see src/pipeline.ts).
 */
export function openStream(ctx: AppContext, spec: StreamSpec): AsyncIterableIterator<GroupEvent> {
  return hubOf(ctx).open(ctx, requireViewer(ctx), spec);
}

async function membershipChanges(ctx: AppContext, args: MembershipChangesArgs) {
  const viewer = requireViewer(ctx);
  const userId = args.userId ?? viewer.id;
  if (!isUuid(userId) || !(await usersById(ctx).load(userId))) throw new NotFoundError("User", userId);
  const after = parseEventId(args.after, "after");
  return openStream(ctx, { groupId: null, includeDescendants: false, types: null, userId, after });
}

@Resolver(() => GroupEvent)
export class EventResolver {
  @Query(() => GroupEventConnection, {
    description: `The audit log, oldest first: events of the groups where the caller holds events.view
(every group's, deleted groups' included, for a global admin). first <= 500; after: an event id.`,
  })
  @Directive(PUBLIC)
  @Directive(pagedByFirst())
  events(
    @Ctx() ctx: AppContext,
    @Arg("filter", () => EventFilter, { nullable: true }) filter?: EventFilter,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<GroupEventConnection> {
    return listEvents(ctx, filter, { first, after });
  }

  @Subscription(() => GroupEvent, {
    description: `Membership events (MEMBER_*) and access-request events (ACCESS_*) of one user; the caller when userId is null. The caller
receives every event about themself; about another user, those of groups where the caller holds
events.view at delivery. after: replay every stored event with a larger id first.`,
    subscribe: ({ args, context }) => membershipChanges(context as AppContext, args as MembershipChangesArgs),
  })
  @Directive(PUBLIC)
  // Runs for every event delivered to every subscriber, called with the event only (its arguments
  // served at subscribe time; see callSubscriptionMethodsDirectly in src/federation/schema.ts).
  membershipChanges(
    @Root() event: Row<GroupEvent>,
    @Args(() => MembershipChangesArgs, { validate: false }) _args: MembershipChangesArgs,
  ): GroupEvent {
    return event;
  }
}
