// Group.initiatives planned into groups' root statements (at module load).
import "./initiative.plan";
export { Initiative } from "./initiative.entity";
export { INITIATIVE_COLUMNS } from "./initiative.store";
export { InitiativeResolver, InitiativeConnection } from "./initiative.resolver";
export { GroupInitiativesResolver } from "./group-initiatives.resolver";
export { initiativesById, initiativeCountByGroupId } from "./initiative.loaders";
export { findInitiative } from "./initiative.queries";
