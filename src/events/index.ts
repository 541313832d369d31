export { GroupEvent, EventType, EVENT_COLUMNS } from "./event.entity";
export { recordEvent, recordEvents, type NewEvent } from "./event.writer";
