export { Group, GroupRelative, GroupVisibility } from "./group.entity";
export { GROUP_COLUMNS, groupColumns } from "./group.columns";
export { GroupResolver, GroupConnection } from "./group.resolver";
export { groupsById, visibleGroupsById, takeListedMemberCounts } from "./group.loaders";
export { findGroup } from "./group.queries";
export { groupForMutation } from "./group.service";
export { GroupEventsResolver, GroupEventGroupResolver } from "./group-events.resolver";
