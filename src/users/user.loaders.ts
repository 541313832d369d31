import { rowsById } from "../db";
import { perRequest } from "../shared/context";
import { USER_COLUMNS, type User } from "./user.entity";

/** Users by id: one `= ANY($1)` statement per batch; null for an unknown or malformed id. */
export const usersById = perRequest((ctx) =>
  rowsById<User>(ctx, `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`),
);
