import type { AppContext } from "../shared/context";
import type { Leadership } from "./leadership.entity";
import { visibleLeadershipsById } from "./leadership.loaders";

/** A leadership by id, null when missing or in a group the caller cannot see (federation references). */
export function findLeadership(ctx: AppContext, id: string): Promise<Leadership | null> {
  return visibleLeadershipsById(ctx).load(id);
}
