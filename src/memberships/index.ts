export { Membership, MembershipStatus, MEMBERSHIP_COLUMNS, effectiveStatus } from "./membership.entity";
export { GroupMembersResolver } from "./group-members.resolver";
export { memberCountByGroupId } from "./membership.loaders";
