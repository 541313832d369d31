// Group.leaders and Group.leadershipHistory planned into groups' root statements (at module load).
import "./leadership.plan";
export { Leadership } from "./leadership.entity";
export { LeadershipResolver } from "./leadership.resolver";
export { GroupLeadersResolver } from "./group-leaders.resolver";
export { UserLeadershipsResolver } from "./user-leaderships.resolver";
export { findLeadership } from "./leadership.queries";
