import { groupsById } from "../groups";
import { canView } from "../permissions";
import type { AppContext } from "../shared/context";
import type { Leadership } from "./leadership.entity";
import { leadershipsById } from "./leadership.loaders";

/** A leadership by id, null when missing or in a group the caller cannot see (federation references). */
export async function findLeadership(ctx: AppContext, id: string): Promise<Leadership | null> {
  const leadership = await leadershipsById(ctx).load(id);
  if (!leadership) return null;
  const group = await groupsById(ctx).load(leadership.groupId);
  return group && (await canView(ctx, group)) ? leadership : null;
}
