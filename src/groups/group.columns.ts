import { raw, type Sql } from "../db";
import type { Group } from "./group.entity";

/**
 * The groups table, once: each Group property and its column. Every SELECT or RETURNING of a Group
 * derives from this map, and so do the columns an insert or update writes (group.store.ts). A new
 * column touches the entity, its migration and this map; the type makes a property without a column
 * a compile error.
 */
export const GROUP_COLUMN: { readonly [K in keyof Group]-?: string } = {
  id: "id",
  name: "name",
  groupType: "group_type",
  description: "description",
  shortName: "short_name",
  url: "url",
  knowledgeArea: "knowledge_area",
  campus: "campus",
  visibility: "visibility",
  joinPolicy: "join_policy",
  isActive: "is_active",
  permissionCascadeEnabled: "permission_cascade_enabled",
  metadata: "metadata",
  createdAt: "created_at",
  updatedAt: "updated_at",
  createdById: "created_by",
};

/** Properties whose column is jsonb: written as JSON text cast to jsonb. */
export const JSON_PROPERTIES: ReadonlySet<string> = new Set(["metadata"]);

/** `alias.column AS "property"` for every column (trusted text: names from the map above). */
function selectList(alias: string): string {
  return Object.entries(GROUP_COLUMN)
    .map(([property, column]) => (property === column ? `${alias}.${column}` : `${alias}.${column} AS "${property}"`))
    .join(", ");
}

/** The columns of a Group row (alias `g`), named as the entity's properties: the SELECT list of every statement. */
export const groupColumns: Sql = raw(selectList("g"));

/**
 * The same list as text, for statements of other domains still written as strings (alias `g`).
 * Goes away with the last of them; new code splices `groupColumns`.
 */
export const GROUP_COLUMNS: string = groupColumns.text;

/** The Date fields of a Group row: a row built as JSON in PostgreSQL carries them as text. */
export const GROUP_TIMESTAMPS = ["createdAt", "updatedAt"] as const;
