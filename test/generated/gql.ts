/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n      name\n      groupType\n      description\n      shortName\n      url\n      knowledgeArea\n      campus\n      visibility\n      isActive\n      permissionCascadeEnabled\n      metadata\n      createdAt\n      updatedAt\n      createdBy {\n        id\n      }\n      memberCount\n      parents {\n        id\n      }\n    }\n  }\n": typeof types.CreateGroupDocument,
    "\n  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      name\n      description\n      visibility\n      isActive\n      metadata\n      parents {\n        id\n      }\n    }\n  }\n": typeof types.UpdateGroupDocument,
    "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(id: $id)\n  }\n": typeof types.DeleteGroupDocument,
    "\n  query GroupById($id: ID!) {\n    group(id: $id) {\n      id\n      name\n      isActive\n      parents {\n        id\n      }\n      children(includeInactive: true) {\n        id\n      }\n    }\n  }\n": typeof types.GroupByIdDocument,
    "\n  query GroupByName($name: String!, $groupType: String) {\n    groupByName(name: $name, groupType: $groupType) {\n      id\n      groupType\n    }\n  }\n": typeof types.GroupByNameDocument,
    "\n  query Groups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $after: String, $offset: Int) {\n    groups(filter: $filter, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.GroupsDocument,
    "\n  mutation HierarchyCreate($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n    }\n  }\n": typeof types.HierarchyCreateDocument,
    "\n  mutation HierarchySetParents($id: ID!, $parentIds: [ID!]) {\n    updateGroup(id: $id, input: { parentIds: $parentIds }) {\n      id\n      parents {\n        id\n      }\n    }\n  }\n": typeof types.HierarchySetParentsDocument,
    "\n  query HierarchyRelatives($id: ID!, $maxDepth: Int, $groupType: String, $first: Int, $after: String) {\n    group(id: $id) {\n      parents {\n        name\n      }\n      children {\n        name\n      }\n      ancestors(maxDepth: $maxDepth) {\n        depth\n        group {\n          name\n        }\n      }\n      descendants(maxDepth: $maxDepth, groupType: $groupType, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          depth\n          group {\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.HierarchyRelativesDocument,
    "\n        query HierarchyOpen($name: String!) {\n          groupByName(name: $name) {\n            ancestors {\n              group {\n                name\n              }\n            }\n            parents {\n              name\n            }\n          }\n        }\n      ": typeof types.HierarchyOpenDocument,
    "\n  query StatementsList($first: Int) {\n    groups(first: $first) {\n      nodes {\n        parents {\n          id\n        }\n        children {\n          id\n        }\n        createdBy {\n          id\n        }\n        memberCount\n      }\n    }\n  }\n": typeof types.StatementsListDocument,
    "\n  query StatementsGroupOnly($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n": typeof types.StatementsGroupOnlyDocument,
    "\n  query StatementsAncestors($id: ID!) {\n    group(id: $id) {\n      id\n      ancestors {\n        depth\n        group {\n          id\n        }\n      }\n    }\n  }\n": typeof types.StatementsAncestorsDocument,
    "\n  query StatementsDescendants($id: ID!) {\n    group(id: $id) {\n      id\n      descendants(first: 500) {\n        totalCount\n        nodes {\n          depth\n        }\n      }\n    }\n  }\n": typeof types.StatementsDescendantsDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      isGlobalAdmin\n      createdAt\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      name\n      email\n      isGlobalAdmin\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n      name\n      email\n    }\n  }\n": typeof types.UpdateUserDocument,
    "\n  query Users($search: String, $first: Int, $after: String) {\n    users(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  query UserById($id: ID!) {\n    user(id: $id) {\n      id\n      name\n    }\n  }\n": typeof types.UserByIdDocument,
};
const documents: Documents = {
    "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n      name\n      groupType\n      description\n      shortName\n      url\n      knowledgeArea\n      campus\n      visibility\n      isActive\n      permissionCascadeEnabled\n      metadata\n      createdAt\n      updatedAt\n      createdBy {\n        id\n      }\n      memberCount\n      parents {\n        id\n      }\n    }\n  }\n": types.CreateGroupDocument,
    "\n  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      name\n      description\n      visibility\n      isActive\n      metadata\n      parents {\n        id\n      }\n    }\n  }\n": types.UpdateGroupDocument,
    "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(id: $id)\n  }\n": types.DeleteGroupDocument,
    "\n  query GroupById($id: ID!) {\n    group(id: $id) {\n      id\n      name\n      isActive\n      parents {\n        id\n      }\n      children(includeInactive: true) {\n        id\n      }\n    }\n  }\n": types.GroupByIdDocument,
    "\n  query GroupByName($name: String!, $groupType: String) {\n    groupByName(name: $name, groupType: $groupType) {\n      id\n      groupType\n    }\n  }\n": types.GroupByNameDocument,
    "\n  query Groups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $after: String, $offset: Int) {\n    groups(filter: $filter, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.GroupsDocument,
    "\n  mutation HierarchyCreate($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n    }\n  }\n": types.HierarchyCreateDocument,
    "\n  mutation HierarchySetParents($id: ID!, $parentIds: [ID!]) {\n    updateGroup(id: $id, input: { parentIds: $parentIds }) {\n      id\n      parents {\n        id\n      }\n    }\n  }\n": types.HierarchySetParentsDocument,
    "\n  query HierarchyRelatives($id: ID!, $maxDepth: Int, $groupType: String, $first: Int, $after: String) {\n    group(id: $id) {\n      parents {\n        name\n      }\n      children {\n        name\n      }\n      ancestors(maxDepth: $maxDepth) {\n        depth\n        group {\n          name\n        }\n      }\n      descendants(maxDepth: $maxDepth, groupType: $groupType, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          depth\n          group {\n            name\n          }\n        }\n      }\n    }\n  }\n": types.HierarchyRelativesDocument,
    "\n        query HierarchyOpen($name: String!) {\n          groupByName(name: $name) {\n            ancestors {\n              group {\n                name\n              }\n            }\n            parents {\n              name\n            }\n          }\n        }\n      ": types.HierarchyOpenDocument,
    "\n  query StatementsList($first: Int) {\n    groups(first: $first) {\n      nodes {\n        parents {\n          id\n        }\n        children {\n          id\n        }\n        createdBy {\n          id\n        }\n        memberCount\n      }\n    }\n  }\n": types.StatementsListDocument,
    "\n  query StatementsGroupOnly($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n": types.StatementsGroupOnlyDocument,
    "\n  query StatementsAncestors($id: ID!) {\n    group(id: $id) {\n      id\n      ancestors {\n        depth\n        group {\n          id\n        }\n      }\n    }\n  }\n": types.StatementsAncestorsDocument,
    "\n  query StatementsDescendants($id: ID!) {\n    group(id: $id) {\n      id\n      descendants(first: 500) {\n        totalCount\n        nodes {\n          depth\n        }\n      }\n    }\n  }\n": types.StatementsDescendantsDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n      isGlobalAdmin\n      createdAt\n    }\n  }\n": types.MeDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      name\n      email\n      isGlobalAdmin\n    }\n  }\n": types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n      name\n      email\n    }\n  }\n": types.UpdateUserDocument,
    "\n  query Users($search: String, $first: Int, $after: String) {\n    users(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  query UserById($id: ID!) {\n    user(id: $id) {\n      id\n      name\n    }\n  }\n": types.UserByIdDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n      name\n      groupType\n      description\n      shortName\n      url\n      knowledgeArea\n      campus\n      visibility\n      isActive\n      permissionCascadeEnabled\n      metadata\n      createdAt\n      updatedAt\n      createdBy {\n        id\n      }\n      memberCount\n      parents {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateGroup($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n      name\n      groupType\n      description\n      shortName\n      url\n      knowledgeArea\n      campus\n      visibility\n      isActive\n      permissionCascadeEnabled\n      metadata\n      createdAt\n      updatedAt\n      createdBy {\n        id\n      }\n      memberCount\n      parents {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      name\n      description\n      visibility\n      isActive\n      metadata\n      parents {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      name\n      description\n      visibility\n      isActive\n      metadata\n      parents {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteGroup($id: ID!) {\n    deleteGroup(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupById($id: ID!) {\n    group(id: $id) {\n      id\n      name\n      isActive\n      parents {\n        id\n      }\n      children(includeInactive: true) {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query GroupById($id: ID!) {\n    group(id: $id) {\n      id\n      name\n      isActive\n      parents {\n        id\n      }\n      children(includeInactive: true) {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupByName($name: String!, $groupType: String) {\n    groupByName(name: $name, groupType: $groupType) {\n      id\n      groupType\n    }\n  }\n"): (typeof documents)["\n  query GroupByName($name: String!, $groupType: String) {\n    groupByName(name: $name, groupType: $groupType) {\n      id\n      groupType\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Groups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $after: String, $offset: Int) {\n    groups(filter: $filter, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Groups($filter: GroupFilter, $orderBy: GroupOrder, $first: Int, $after: String, $offset: Int) {\n    groups(filter: $filter, orderBy: $orderBy, first: $first, after: $after, offset: $offset) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n        }\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation HierarchyCreate($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation HierarchyCreate($input: CreateGroupInput!) {\n    createGroup(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation HierarchySetParents($id: ID!, $parentIds: [ID!]) {\n    updateGroup(id: $id, input: { parentIds: $parentIds }) {\n      id\n      parents {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation HierarchySetParents($id: ID!, $parentIds: [ID!]) {\n    updateGroup(id: $id, input: { parentIds: $parentIds }) {\n      id\n      parents {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HierarchyRelatives($id: ID!, $maxDepth: Int, $groupType: String, $first: Int, $after: String) {\n    group(id: $id) {\n      parents {\n        name\n      }\n      children {\n        name\n      }\n      ancestors(maxDepth: $maxDepth) {\n        depth\n        group {\n          name\n        }\n      }\n      descendants(maxDepth: $maxDepth, groupType: $groupType, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          depth\n          group {\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query HierarchyRelatives($id: ID!, $maxDepth: Int, $groupType: String, $first: Int, $after: String) {\n    group(id: $id) {\n      parents {\n        name\n      }\n      children {\n        name\n      }\n      ancestors(maxDepth: $maxDepth) {\n        depth\n        group {\n          name\n        }\n      }\n      descendants(maxDepth: $maxDepth, groupType: $groupType, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          depth\n          group {\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query HierarchyOpen($name: String!) {\n          groupByName(name: $name) {\n            ancestors {\n              group {\n                name\n              }\n            }\n            parents {\n              name\n            }\n          }\n        }\n      "): (typeof documents)["\n        query HierarchyOpen($name: String!) {\n          groupByName(name: $name) {\n            ancestors {\n              group {\n                name\n              }\n            }\n            parents {\n              name\n            }\n          }\n        }\n      "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatementsList($first: Int) {\n    groups(first: $first) {\n      nodes {\n        parents {\n          id\n        }\n        children {\n          id\n        }\n        createdBy {\n          id\n        }\n        memberCount\n      }\n    }\n  }\n"): (typeof documents)["\n  query StatementsList($first: Int) {\n    groups(first: $first) {\n      nodes {\n        parents {\n          id\n        }\n        children {\n          id\n        }\n        createdBy {\n          id\n        }\n        memberCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatementsGroupOnly($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query StatementsGroupOnly($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatementsAncestors($id: ID!) {\n    group(id: $id) {\n      id\n      ancestors {\n        depth\n        group {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StatementsAncestors($id: ID!) {\n    group(id: $id) {\n      id\n      ancestors {\n        depth\n        group {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StatementsDescendants($id: ID!) {\n    group(id: $id) {\n      id\n      descendants(first: 500) {\n        totalCount\n        nodes {\n          depth\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StatementsDescendants($id: ID!) {\n    group(id: $id) {\n      id\n      descendants(first: 500) {\n        totalCount\n        nodes {\n          depth\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      email\n      isGlobalAdmin\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      email\n      isGlobalAdmin\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      name\n      email\n      isGlobalAdmin\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      name\n      email\n      isGlobalAdmin\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n      name\n      email\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) {\n      id\n      name\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($search: String, $first: Int, $after: String) {\n    users(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users($search: String, $first: Int, $after: String) {\n    users(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserById($id: ID!) {\n    user(id: $id) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query UserById($id: ID!) {\n    user(id: $id) {\n      id\n      name\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;