import { type ClassType, Field, Int, ObjectType } from "type-graphql";
import { BadUserInputError } from "./errors";
import { isUuid } from "./ids";

/** The largest page any list answers; asking for more is BAD_USER_INPUT, not a silent cut. */
export const MAX_PAGE_SIZE = 500;

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/**
 * The fields every connection has: `nodes`, `pageInfo`, `totalCount` (in that order). A connection
 * type extends it: `@ObjectType({ simpleResolvers: true }) class UserConnection extends
 * connectionOf(User) {}`.
 */
export function connectionOf<T extends object>(itemType: ClassType<T>) {
  @ObjectType({ simpleResolvers: true })
  abstract class Connection {
    @Field(() => [itemType])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return Connection;
}

/** Validates `first` (0..500). */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw BadUserInputError.field("first", `must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the sort key values of the last row. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

export function decodeCursor(cursor: string, arity: number): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    // A forged cursor must not reach SQL with values PostgreSQL refuses (NUL, huge numbers).
    const sane = (v: unknown) =>
      (typeof v === "string" && !v.includes("\u0000") && v.length <= 1000) ||
      (typeof v === "number" && Number.isSafeInteger(v));
    if (Array.isArray(values) && values.length === arity && values.every(sane)) return values;
  } catch {
    // fall through to the error below
  }
  throw BadUserInputError.field("after", "is not a cursor this list produced");
}

type KeyKind = "string" | "number" | "uuid";
type KeyValue<K extends KeyKind> = K extends "number" ? number : string;

/**
 * A keyset cursor decoded and checked against the kinds of its sort key values, in order: the one
 * check every list makes (BAD_USER_INPUT on `after` for anything this code did not produce).
 */
export function decodeKeyset<const K extends readonly KeyKind[]>(
  cursor: string,
  kinds: K,
): { [I in keyof K]: KeyValue<K[I]> } {
  const values = decodeCursor(cursor, kinds.length);
  const ok = kinds.every((kind, i) =>
    kind === "uuid"
      ? isUuid(values[i])
      : kind === "number"
        ? typeof values[i] === "number"
        : typeof values[i] === "string",
  );
  if (!ok) throw BadUserInputError.field("after", "is not a cursor this list produced");
  return values as { [I in keyof K]: KeyValue<K[I]> };
}

/** Splits the `first + 1` rows a keyset query fetched into a page and whether more follow. */
export function toPage<T>(rows: T[], first: number, cursorOf: (row: T) => unknown[]) {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: {
      hasNextPage: rows.length > first,
      // Encoded when read: a list of 50 groups with a page of members each rarely asks for 50 cursors.
      get endCursor(): string | null {
        return last ? encodeCursor(cursorOf(last)) : null;
      },
    },
  };
}
