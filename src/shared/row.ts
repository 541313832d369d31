/**
 * A row as a field resolver receives it: the object the store returned, not a class instance.
 * TypeGraphQL rebuilds the root of a `@Root()` parameter typed as a class (a new instance and a copy
 * of every column, for each row and each field resolver); typed as this intersection, the reflected
 * parameter type is `Object` and the row is handed on as it is. Use `@Root() group: Row<Group>`.
 */
export type Row<T> = T & { readonly __row?: never };
