export { User, USER_COLUMNS } from "./user.entity";
export { UserResolver, UserConnection } from "./user.resolver";
export { usersById, userColumnsAs, primeUsers } from "./user.loaders";
export { provisionViewer, type IdentityClaims } from "./user.service";
