export { Group, GroupRelative, GroupVisibility, GROUP_COLUMNS } from "./group.entity";
export { GroupResolver, GroupConnection } from "./group.resolver";
export { groupsById, visibleGroupsById } from "./group.loaders";
export { findGroup } from "./group.queries";
export { groupForMutation } from "./group.service";
export { GroupEventsResolver, GroupEventGroupResolver } from "./group-events.resolver";
