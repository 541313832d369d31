import DataLoader from "dataloader";
import { query } from "../db";
import { byKey, perRequest } from "../shared/context";
import { isUuid } from "../shared/ids";
import { USER_COLUMNS, type User } from "./user.entity";

/** Users by id: one `= ANY($1)` statement per batch; null for an unknown or malformed id. */
export const usersById = perRequest(
  (ctx) =>
    new DataLoader<string, User | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return ids.map(() => null);
      const rows = await query<User>(ctx.db, `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`, [
        valid,
      ]);
      return byKey(ids, rows, (row) => row.id);
    }),
);
