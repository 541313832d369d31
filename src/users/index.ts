export { User, USER_COLUMNS } from "./user.entity";
export { UserResolver, UserConnection } from "./user.resolver";
export { usersById, userColumnsAs, takeUsers } from "./user.loaders";
export { provisionViewer, type IdentityClaims } from "./user.service";
