export { Group, GroupRelative, GroupVisibility, JoinPolicy } from "./group.entity";
export { GROUP_COLUMNS, groupColumns } from "./group.columns";
export { GroupResolver, GroupConnection } from "./group.resolver";
export { groupsById, visibleGroupsById } from "./group.loaders";
export { registerGroupRelation, type RelationPlanner, type PlannedRelation } from "./group.plan";
export { findGroup } from "./group.queries";
export { groupForMutation } from "./group.service";
export { GroupEventsResolver, GroupEventGroupResolver } from "./group-events.resolver";
export { GROUP_EVENT_DETAILS_RESOLVERS } from "./event-details.resolver";
