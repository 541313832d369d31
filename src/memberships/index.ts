// Group.members and Group.memberCount planned into groups' root statements (at module load).
import "./membership.plan";
export { Membership, MembershipStatus, effectiveStatus } from "./membership.entity";
export { MEMBERSHIP_COLUMNS, membershipColumns } from "./membership.store";
export { MembershipResolver, MembershipConnection } from "./membership.resolver";
export { GroupMembersResolver } from "./group-members.resolver";
export { UserMembershipsResolver } from "./user-memberships.resolver";
export { PermissionCheckResolver } from "./permission-check.resolver";
export { memberCountByGroupId } from "./membership.loaders";
export { findMembershipById } from "./membership.queries";
export { MEMBERSHIP_HISTORY_RESOLVERS } from "./membership-history.resolver";
export { setPeriodInstantSql } from "./membership-history.store";
export { MEMBERSHIP_EVENT_DETAILS_RESOLVERS } from "./event-details.resolver";
export { AccessRequest, AccessRequestStatus } from "./access-request.entity";
export { ACCESS_REQUEST_RESOLVERS, AccessRequestConnection } from "./access-request.resolver";
export { BulkMembershipResolver } from "./bulk.resolver";
export { claimInvitations } from "./claim.service";
export {
  UserGroupsWithPermissionResolver,
  GroupUsersWithPermissionResolver,
  PermissionHolder,
  PermissionHolderConnection,
} from "./reverse-lookup.resolver";
