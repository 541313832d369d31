export { Initiative, INITIATIVE_COLUMNS } from "./initiative.entity";
export { InitiativeResolver, InitiativeConnection } from "./initiative.resolver";
export { GroupInitiativesResolver } from "./group-initiatives.resolver";
export { initiativesById, initiativeCountByGroupId } from "./initiative.loaders";
export { findInitiative } from "./initiative.queries";
