import { type ClassType, FieldResolver, Resolver, Root } from "type-graphql";
import { MemberAddedDetails, MemberStatusChangedDetails } from "../events";
import type { Row } from "../shared/row";
import { MembershipStatus } from "./membership.entity";

/** The MembershipStatus fields of the member events' details (events/ cannot import memberships). */

@Resolver(() => MemberAddedDetails)
export class MemberAddedDetailsResolver {
  @FieldResolver(() => MembershipStatus, { description: "ACTIVE when added, PENDING when invited" })
  status(@Root() details: Row<MemberAddedDetails>): MembershipStatus {
    return details.status as MembershipStatus;
  }
}

@Resolver(() => MemberStatusChangedDetails)
export class MemberStatusChangedDetailsResolver {
  @FieldResolver(() => MembershipStatus)
  oldStatus(@Root() details: Row<MemberStatusChangedDetails>): MembershipStatus {
    return details.oldStatus as MembershipStatus;
  }

  @FieldResolver(() => MembershipStatus)
  newStatus(@Root() details: Row<MemberStatusChangedDetails>): MembershipStatus {
    return details.newStatus as MembershipStatus;
  }
}

/** Every resolver of this file (schema.ts registers them). */
export const MEMBERSHIP_EVENT_DETAILS_RESOLVERS: readonly ClassType[] = [
  MemberAddedDetailsResolver,
  MemberStatusChangedDetailsResolver,
];
