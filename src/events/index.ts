export { GroupEvent, EventType, type NewEvent } from "./event.entity";
export { recordEvent, recordEvents, recordEventsSql } from "./event.writer";
export { deletedReadableBy, newestEventId } from "./event.store";
export { EventFeed, EVENT_CHANNEL, type FeedOptions } from "./feed";
export {
  EventHub,
  SLOW_SUBSCRIBER_CLOSE_CODE,
  DELIVERY_FAILED_CLOSE_CODE,
  type HubStats,
  type StreamSpec,
} from "./hub";
export { EventResolver, EventFilter, GroupEventConnection, hubOf, openStream } from "./event.resolver";
export { listEvents, groupEventPage, parseEventId, type EventPage } from "./event.queries";
export { Sequencer } from "./sequencer";
export {
  AccessApprovedDetails,
  AccessDeniedDetails,
  AccessRequestedDetails,
  AccessWithdrawnDetails,
  ChildAddedDetails,
  ChildRemovedDetails,
  detailsOf,
  detailsTypeOf,
  GroupCreatedDetails,
  GroupEventDetails,
  GroupFieldValues,
  MemberAddedDetails,
  MemberStatusChangedDetails,
} from "./event-details";
export { EVENT_DETAILS_USER_RESOLVERS, userReference } from "./event-details.resolver";
