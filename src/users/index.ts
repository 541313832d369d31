export { User } from "./user.entity";
export { USER_COLUMNS, USER_FIELD_NAMES, userColumnsAs, userColumnsPrefixed, userJsonPairs } from "./user.store";
export { UserResolver, UserConnection } from "./user.resolver";
export { erasedAtById, usersById, primeUsers, primeUsersFromJson } from "./user.loaders";
export { embedUsers, embeddedUser, userFieldsRead, type UserField } from "./user.selection";
export { canSeeEmailOf, provisionViewer, type IdentityClaims } from "./user.service";
export { ErasureWatch, type ErasureWatchOptions } from "./erasure-watch";
export { onUsersRefused, refuseErasedUsers } from "./user.service";
export {
  clearAccessRequestsOf,
  deleteMembershipsOf,
  endLeadershipsOf,
  eraseUserRow,
  groupsLastOwnedBy,
  lockGroupsOfMember,
  lockUserForErasure,
  replicasBehind,
} from "./erasure.store";
export { handOverAddress, insertProvisionalUsersSql, lockProvisionalUser } from "./provisional.store";
