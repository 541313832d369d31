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
    "\n  query AuthzCheck($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      permission\n      globalAdmin\n      grants {\n        group {\n          id\n        }\n        role\n        inherited\n        path {\n          id\n        }\n      }\n    }\n  }\n": typeof types.AuthzCheckDocument,
    "\n  query AuthzCheckGroupNames($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      grants {\n        group {\n          id\n          name\n        }\n        path {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.AuthzCheckGroupNamesDocument,
    "\n  query AuthzUserPermissions($userId: ID!, $groupId: ID!) {\n    user(id: $userId) {\n      id\n      permissions(groupId: $groupId)\n    }\n  }\n": typeof types.AuthzUserPermissionsDocument,
    "\n  query AuthzPermissionKeys {\n    permissions {\n      key\n    }\n    roles {\n      name\n      permissions\n    }\n  }\n": typeof types.AuthzPermissionKeysDocument,
    "\n  mutation AuthzUpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      isActive\n      permissionCascadeEnabled\n    }\n  }\n": typeof types.AuthzUpdateGroupDocument,
    "\n  mutation AuthzAddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n    }\n  }\n": typeof types.AuthzAddMemberDocument,
    "\n  mutation AuthzChangeRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": typeof types.AuthzChangeRoleDocument,
    "\n  mutation AuthzSetStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n": typeof types.AuthzSetStatusDocument,
    "\n  mutation AuthzRespond($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n": typeof types.AuthzRespondDocument,
    "\n  mutation AuthzRemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n": typeof types.AuthzRemoveMemberDocument,
    "\n  query AuthzMembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      role\n      status\n    }\n  }\n": typeof types.AuthzMembershipOfDocument,
    "\n  query AuthzGroupById($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n": typeof types.AuthzGroupByIdDocument,
    "\n  query AuthzGroupsSearch($search: String!) {\n    groups(filter: { search: $search }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n": typeof types.AuthzGroupsSearchDocument,
    "\n  query AuthzGroupsSearchAll($search: String!) {\n    groups(filter: { search: $search, isActive: null }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n": typeof types.AuthzGroupsSearchAllDocument,
    "\n  query AuthzRelatives($id: ID!) {\n    group(id: $id) {\n      children(includeInactive: true) {\n        id\n      }\n      descendants {\n        nodes {\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.AuthzRelativesDocument,
    "\n  query AuthzGroupByName($name: String!) {\n    groupByName(name: $name) {\n      id\n    }\n  }\n": typeof types.AuthzGroupByNameDocument,
    "\n  query AuthzEntities($r: [_Any!]!) {\n    _entities(representations: $r) {\n      ... on Group {\n        id\n      }\n    }\n  }\n": typeof types.AuthzEntitiesDocument,
    "\n  query AuthzSomeonesGroups($id: ID!) {\n    user(id: $id) {\n      groups {\n        id\n      }\n      transitive: groups(transitive: true) {\n        id\n      }\n      memberships {\n        group {\n          id\n        }\n      }\n    }\n  }\n": typeof types.AuthzSomeonesGroupsDocument,
    "\n  query AuthzTransitiveMembers($id: ID!) {\n    group(id: $id) {\n      members(transitive: true, first: 100) {\n        totalCount\n        nodes {\n          user {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.AuthzTransitiveMembersDocument,
    "\n  query AuthzUserTransitiveGroups($id: ID!) {\n    user(id: $id) {\n      groups(transitive: true) {\n        id\n      }\n    }\n  }\n": typeof types.AuthzUserTransitiveGroupsDocument,
    "\n  query AuthzGroupsWithMembers {\n    groups(first: 50) {\n      nodes {\n        id\n        members(first: 10) {\n          nodes {\n            role\n            user {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.AuthzGroupsWithMembersDocument,
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
    "\n  mutation InitiativeCreate($input: CreateInitiativeInput!) {\n    createInitiative(input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n      groups {\n        id\n      }\n    }\n  }\n": typeof types.InitiativeCreateDocument,
    "\n  mutation InitiativeUpdate($id: ID!, $input: UpdateInitiativeInput!) {\n    updateInitiative(id: $id, input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n    }\n  }\n": typeof types.InitiativeUpdateDocument,
    "\n  mutation InitiativeDelete($id: ID!) {\n    deleteInitiative(id: $id)\n  }\n": typeof types.InitiativeDeleteDocument,
    "\n  mutation InitiativeLink($groupId: ID!, $initiativeId: ID!) {\n    linkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n": typeof types.InitiativeLinkDocument,
    "\n  mutation InitiativeUnlink($groupId: ID!, $initiativeId: ID!) {\n    unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n": typeof types.InitiativeUnlinkDocument,
    "\n  query InitiativeById($id: ID!) {\n    initiative(id: $id) {\n      id\n      name\n      groups {\n        id\n      }\n    }\n  }\n": typeof types.InitiativeByIdDocument,
    "\n  query InitiativeList($search: String, $first: Int, $after: String) {\n    initiatives(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.InitiativeListDocument,
    "\n  query InitiativeGroupInitiatives($id: ID!) {\n    group(id: $id) {\n      initiativeCount\n      initiatives {\n        id\n        name\n      }\n    }\n  }\n": typeof types.InitiativeGroupInitiativesDocument,
    "\n  query InitiativeGroupsWithInitiatives {\n    groups(first: 50) {\n      nodes {\n        initiatives {\n          id\n          name\n        }\n        initiativeCount\n      }\n    }\n  }\n": typeof types.InitiativeGroupsWithInitiativesDocument,
    "\n  query InitiativeListWithGroups {\n    initiatives(first: 50) {\n      nodes {\n        groups {\n          id\n        }\n      }\n    }\n  }\n": typeof types.InitiativeListWithGroupsDocument,
    "\n  mutation AddLeader($input: AddLeaderInput!) {\n    addLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n      createdAt\n      updatedAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n    }\n  }\n": typeof types.AddLeaderDocument,
    "\n  mutation RemoveLeader($input: RemoveLeaderInput!) {\n    removeLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n    }\n  }\n": typeof types.RemoveLeaderDocument,
    "\n  query Leaders($id: ID!, $asOf: Date) {\n    group(id: $id) {\n      leaders(asOf: $asOf) {\n        user {\n          id\n        }\n        startDate\n        endDate\n      }\n      leaderCount\n      warnings\n      leadershipHistory {\n        user {\n          id\n        }\n        startDate\n        endDate\n        isActive\n      }\n    }\n  }\n": typeof types.LeadersDocument,
    "\n  query UserLeaderships($id: ID!, $includeHistorical: Boolean) {\n    user(id: $id) {\n      leaderships(includeHistorical: $includeHistorical) {\n        startDate\n        endDate\n        isActive\n        group {\n          id\n        }\n      }\n    }\n  }\n": typeof types.UserLeadershipsDocument,
    "\n  query GroupsWithLeaders($search: String) {\n    groups(first: 50, filter: { search: $search }) {\n      nodes {\n        id\n        leaderCount\n        warnings\n        leaders {\n          user {\n            name\n          }\n        }\n        leadershipHistory {\n          id\n        }\n      }\n    }\n  }\n": typeof types.GroupsWithLeadersDocument,
    "\n  mutation AddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n      isActive\n      joinedAt\n      expiresAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n      invitedBy {\n        id\n      }\n    }\n  }\n": typeof types.AddMemberDocument,
    "\n  mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": typeof types.UpdateMemberRoleDocument,
    "\n  mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n      isActive\n    }\n  }\n": typeof types.SetMemberStatusDocument,
    "\n  mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n": typeof types.RespondToInvitationDocument,
    "\n  mutation RemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  query MembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      id\n      role\n      status\n      isActive\n    }\n    group(id: $groupId) {\n      memberCount\n      membership(userId: $userId) {\n        id\n        status\n      }\n    }\n  }\n": typeof types.MembershipOfDocument,
    "\n  query Members($id: ID!, $role: String, $includeInactive: Boolean, $transitive: Boolean, $first: Int, $after: String) {\n    group(id: $id) {\n      members(role: $role, includeInactive: $includeInactive, transitive: $transitive, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          role\n          status\n          user {\n            id\n          }\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.MembersDocument,
    "\n  query UserMemberships($id: ID!, $includeInactive: Boolean, $role: String, $transitive: Boolean, $groupType: String) {\n    user(id: $id) {\n      memberships(includeInactive: $includeInactive, role: $role) {\n        role\n        status\n        group {\n          id\n        }\n      }\n      groups(transitive: $transitive, groupType: $groupType) {\n        id\n      }\n    }\n  }\n": typeof types.UserMembershipsDocument,
    "\n  query CanUpdate($userId: ID!, $groupId: ID!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: \"groups.update\") {\n      allowed\n    }\n  }\n": typeof types.CanUpdateDocument,
    "\n  query PermissionsList(\n    $keys: [String!]\n    $module: String\n    $capability: String\n    $includeInactive: Boolean\n    $includeDeprecated: Boolean\n  ) {\n    permissions(\n      keys: $keys\n      module: $module\n      capability: $capability\n      includeInactive: $includeInactive\n      includeDeprecated: $includeDeprecated\n    ) {\n      key\n      module\n      capability\n      label\n      description\n      isActive\n      isDeprecated\n      createdAt\n      updatedAt\n    }\n  }\n": typeof types.PermissionsListDocument,
    "\n  query PermissionByKey($key: String!) {\n    permission(key: $key) {\n      key\n      module\n      capability\n      label\n      isActive\n    }\n  }\n": typeof types.PermissionByKeyDocument,
    "\n  query PermissionModulesTree {\n    permissionModules {\n      key\n      label\n      description\n      parent {\n        key\n        label\n      }\n      permissions {\n        key\n        isDeprecated\n      }\n    }\n  }\n": typeof types.PermissionModulesTreeDocument,
    "\n  query RolesList {\n    roles {\n      name\n      label\n      rank\n      permissions\n    }\n  }\n": typeof types.RolesListDocument,
    "\n  query PermissionHealthReport {\n    permissionHealth {\n      status\n      definedCount\n      storedCount\n      orphanedKeys\n      missingKeys\n    }\n  }\n": typeof types.PermissionHealthReportDocument,
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
    "\n  query AuthzCheck($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      permission\n      globalAdmin\n      grants {\n        group {\n          id\n        }\n        role\n        inherited\n        path {\n          id\n        }\n      }\n    }\n  }\n": types.AuthzCheckDocument,
    "\n  query AuthzCheckGroupNames($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      grants {\n        group {\n          id\n          name\n        }\n        path {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.AuthzCheckGroupNamesDocument,
    "\n  query AuthzUserPermissions($userId: ID!, $groupId: ID!) {\n    user(id: $userId) {\n      id\n      permissions(groupId: $groupId)\n    }\n  }\n": types.AuthzUserPermissionsDocument,
    "\n  query AuthzPermissionKeys {\n    permissions {\n      key\n    }\n    roles {\n      name\n      permissions\n    }\n  }\n": types.AuthzPermissionKeysDocument,
    "\n  mutation AuthzUpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      isActive\n      permissionCascadeEnabled\n    }\n  }\n": types.AuthzUpdateGroupDocument,
    "\n  mutation AuthzAddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n    }\n  }\n": types.AuthzAddMemberDocument,
    "\n  mutation AuthzChangeRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": types.AuthzChangeRoleDocument,
    "\n  mutation AuthzSetStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n": types.AuthzSetStatusDocument,
    "\n  mutation AuthzRespond($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n": types.AuthzRespondDocument,
    "\n  mutation AuthzRemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n": types.AuthzRemoveMemberDocument,
    "\n  query AuthzMembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      role\n      status\n    }\n  }\n": types.AuthzMembershipOfDocument,
    "\n  query AuthzGroupById($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n": types.AuthzGroupByIdDocument,
    "\n  query AuthzGroupsSearch($search: String!) {\n    groups(filter: { search: $search }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n": types.AuthzGroupsSearchDocument,
    "\n  query AuthzGroupsSearchAll($search: String!) {\n    groups(filter: { search: $search, isActive: null }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n": types.AuthzGroupsSearchAllDocument,
    "\n  query AuthzRelatives($id: ID!) {\n    group(id: $id) {\n      children(includeInactive: true) {\n        id\n      }\n      descendants {\n        nodes {\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.AuthzRelativesDocument,
    "\n  query AuthzGroupByName($name: String!) {\n    groupByName(name: $name) {\n      id\n    }\n  }\n": types.AuthzGroupByNameDocument,
    "\n  query AuthzEntities($r: [_Any!]!) {\n    _entities(representations: $r) {\n      ... on Group {\n        id\n      }\n    }\n  }\n": types.AuthzEntitiesDocument,
    "\n  query AuthzSomeonesGroups($id: ID!) {\n    user(id: $id) {\n      groups {\n        id\n      }\n      transitive: groups(transitive: true) {\n        id\n      }\n      memberships {\n        group {\n          id\n        }\n      }\n    }\n  }\n": types.AuthzSomeonesGroupsDocument,
    "\n  query AuthzTransitiveMembers($id: ID!) {\n    group(id: $id) {\n      members(transitive: true, first: 100) {\n        totalCount\n        nodes {\n          user {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.AuthzTransitiveMembersDocument,
    "\n  query AuthzUserTransitiveGroups($id: ID!) {\n    user(id: $id) {\n      groups(transitive: true) {\n        id\n      }\n    }\n  }\n": types.AuthzUserTransitiveGroupsDocument,
    "\n  query AuthzGroupsWithMembers {\n    groups(first: 50) {\n      nodes {\n        id\n        members(first: 10) {\n          nodes {\n            role\n            user {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.AuthzGroupsWithMembersDocument,
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
    "\n  mutation InitiativeCreate($input: CreateInitiativeInput!) {\n    createInitiative(input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n      groups {\n        id\n      }\n    }\n  }\n": types.InitiativeCreateDocument,
    "\n  mutation InitiativeUpdate($id: ID!, $input: UpdateInitiativeInput!) {\n    updateInitiative(id: $id, input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n    }\n  }\n": types.InitiativeUpdateDocument,
    "\n  mutation InitiativeDelete($id: ID!) {\n    deleteInitiative(id: $id)\n  }\n": types.InitiativeDeleteDocument,
    "\n  mutation InitiativeLink($groupId: ID!, $initiativeId: ID!) {\n    linkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n": types.InitiativeLinkDocument,
    "\n  mutation InitiativeUnlink($groupId: ID!, $initiativeId: ID!) {\n    unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n": types.InitiativeUnlinkDocument,
    "\n  query InitiativeById($id: ID!) {\n    initiative(id: $id) {\n      id\n      name\n      groups {\n        id\n      }\n    }\n  }\n": types.InitiativeByIdDocument,
    "\n  query InitiativeList($search: String, $first: Int, $after: String) {\n    initiatives(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.InitiativeListDocument,
    "\n  query InitiativeGroupInitiatives($id: ID!) {\n    group(id: $id) {\n      initiativeCount\n      initiatives {\n        id\n        name\n      }\n    }\n  }\n": types.InitiativeGroupInitiativesDocument,
    "\n  query InitiativeGroupsWithInitiatives {\n    groups(first: 50) {\n      nodes {\n        initiatives {\n          id\n          name\n        }\n        initiativeCount\n      }\n    }\n  }\n": types.InitiativeGroupsWithInitiativesDocument,
    "\n  query InitiativeListWithGroups {\n    initiatives(first: 50) {\n      nodes {\n        groups {\n          id\n        }\n      }\n    }\n  }\n": types.InitiativeListWithGroupsDocument,
    "\n  mutation AddLeader($input: AddLeaderInput!) {\n    addLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n      createdAt\n      updatedAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n    }\n  }\n": types.AddLeaderDocument,
    "\n  mutation RemoveLeader($input: RemoveLeaderInput!) {\n    removeLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n    }\n  }\n": types.RemoveLeaderDocument,
    "\n  query Leaders($id: ID!, $asOf: Date) {\n    group(id: $id) {\n      leaders(asOf: $asOf) {\n        user {\n          id\n        }\n        startDate\n        endDate\n      }\n      leaderCount\n      warnings\n      leadershipHistory {\n        user {\n          id\n        }\n        startDate\n        endDate\n        isActive\n      }\n    }\n  }\n": types.LeadersDocument,
    "\n  query UserLeaderships($id: ID!, $includeHistorical: Boolean) {\n    user(id: $id) {\n      leaderships(includeHistorical: $includeHistorical) {\n        startDate\n        endDate\n        isActive\n        group {\n          id\n        }\n      }\n    }\n  }\n": types.UserLeadershipsDocument,
    "\n  query GroupsWithLeaders($search: String) {\n    groups(first: 50, filter: { search: $search }) {\n      nodes {\n        id\n        leaderCount\n        warnings\n        leaders {\n          user {\n            name\n          }\n        }\n        leadershipHistory {\n          id\n        }\n      }\n    }\n  }\n": types.GroupsWithLeadersDocument,
    "\n  mutation AddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n      isActive\n      joinedAt\n      expiresAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n      invitedBy {\n        id\n      }\n    }\n  }\n": types.AddMemberDocument,
    "\n  mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n": types.UpdateMemberRoleDocument,
    "\n  mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n      isActive\n    }\n  }\n": types.SetMemberStatusDocument,
    "\n  mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n": types.RespondToInvitationDocument,
    "\n  mutation RemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n": types.RemoveMemberDocument,
    "\n  query MembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      id\n      role\n      status\n      isActive\n    }\n    group(id: $groupId) {\n      memberCount\n      membership(userId: $userId) {\n        id\n        status\n      }\n    }\n  }\n": types.MembershipOfDocument,
    "\n  query Members($id: ID!, $role: String, $includeInactive: Boolean, $transitive: Boolean, $first: Int, $after: String) {\n    group(id: $id) {\n      members(role: $role, includeInactive: $includeInactive, transitive: $transitive, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          role\n          status\n          user {\n            id\n          }\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.MembersDocument,
    "\n  query UserMemberships($id: ID!, $includeInactive: Boolean, $role: String, $transitive: Boolean, $groupType: String) {\n    user(id: $id) {\n      memberships(includeInactive: $includeInactive, role: $role) {\n        role\n        status\n        group {\n          id\n        }\n      }\n      groups(transitive: $transitive, groupType: $groupType) {\n        id\n      }\n    }\n  }\n": types.UserMembershipsDocument,
    "\n  query CanUpdate($userId: ID!, $groupId: ID!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: \"groups.update\") {\n      allowed\n    }\n  }\n": types.CanUpdateDocument,
    "\n  query PermissionsList(\n    $keys: [String!]\n    $module: String\n    $capability: String\n    $includeInactive: Boolean\n    $includeDeprecated: Boolean\n  ) {\n    permissions(\n      keys: $keys\n      module: $module\n      capability: $capability\n      includeInactive: $includeInactive\n      includeDeprecated: $includeDeprecated\n    ) {\n      key\n      module\n      capability\n      label\n      description\n      isActive\n      isDeprecated\n      createdAt\n      updatedAt\n    }\n  }\n": types.PermissionsListDocument,
    "\n  query PermissionByKey($key: String!) {\n    permission(key: $key) {\n      key\n      module\n      capability\n      label\n      isActive\n    }\n  }\n": types.PermissionByKeyDocument,
    "\n  query PermissionModulesTree {\n    permissionModules {\n      key\n      label\n      description\n      parent {\n        key\n        label\n      }\n      permissions {\n        key\n        isDeprecated\n      }\n    }\n  }\n": types.PermissionModulesTreeDocument,
    "\n  query RolesList {\n    roles {\n      name\n      label\n      rank\n      permissions\n    }\n  }\n": types.RolesListDocument,
    "\n  query PermissionHealthReport {\n    permissionHealth {\n      status\n      definedCount\n      storedCount\n      orphanedKeys\n      missingKeys\n    }\n  }\n": types.PermissionHealthReportDocument,
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
export function graphql(source: "\n  query AuthzCheck($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      permission\n      globalAdmin\n      grants {\n        group {\n          id\n        }\n        role\n        inherited\n        path {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzCheck($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      permission\n      globalAdmin\n      grants {\n        group {\n          id\n        }\n        role\n        inherited\n        path {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzCheckGroupNames($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      grants {\n        group {\n          id\n          name\n        }\n        path {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzCheckGroupNames($userId: ID!, $groupId: ID!, $permission: String!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: $permission) {\n      allowed\n      grants {\n        group {\n          id\n          name\n        }\n        path {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzUserPermissions($userId: ID!, $groupId: ID!) {\n    user(id: $userId) {\n      id\n      permissions(groupId: $groupId)\n    }\n  }\n"): (typeof documents)["\n  query AuthzUserPermissions($userId: ID!, $groupId: ID!) {\n    user(id: $userId) {\n      id\n      permissions(groupId: $groupId)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzPermissionKeys {\n    permissions {\n      key\n    }\n    roles {\n      name\n      permissions\n    }\n  }\n"): (typeof documents)["\n  query AuthzPermissionKeys {\n    permissions {\n      key\n    }\n    roles {\n      name\n      permissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzUpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      isActive\n      permissionCascadeEnabled\n    }\n  }\n"): (typeof documents)["\n  mutation AuthzUpdateGroup($id: ID!, $input: UpdateGroupInput!) {\n    updateGroup(id: $id, input: $input) {\n      id\n      isActive\n      permissionCascadeEnabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzAddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation AuthzAddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzChangeRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"): (typeof documents)["\n  mutation AuthzChangeRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzSetStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation AuthzSetStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzRespond($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation AuthzRespond($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AuthzRemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation AuthzRemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzMembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      role\n      status\n    }\n  }\n"): (typeof documents)["\n  query AuthzMembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      role\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzGroupById($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query AuthzGroupById($id: ID!) {\n    group(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzGroupsSearch($search: String!) {\n    groups(filter: { search: $search }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzGroupsSearch($search: String!) {\n    groups(filter: { search: $search }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzGroupsSearchAll($search: String!) {\n    groups(filter: { search: $search, isActive: null }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzGroupsSearchAll($search: String!) {\n    groups(filter: { search: $search, isActive: null }, first: 500) {\n      nodes {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzRelatives($id: ID!) {\n    group(id: $id) {\n      children(includeInactive: true) {\n        id\n      }\n      descendants {\n        nodes {\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzRelatives($id: ID!) {\n    group(id: $id) {\n      children(includeInactive: true) {\n        id\n      }\n      descendants {\n        nodes {\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzGroupByName($name: String!) {\n    groupByName(name: $name) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query AuthzGroupByName($name: String!) {\n    groupByName(name: $name) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzEntities($r: [_Any!]!) {\n    _entities(representations: $r) {\n      ... on Group {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzEntities($r: [_Any!]!) {\n    _entities(representations: $r) {\n      ... on Group {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzSomeonesGroups($id: ID!) {\n    user(id: $id) {\n      groups {\n        id\n      }\n      transitive: groups(transitive: true) {\n        id\n      }\n      memberships {\n        group {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzSomeonesGroups($id: ID!) {\n    user(id: $id) {\n      groups {\n        id\n      }\n      transitive: groups(transitive: true) {\n        id\n      }\n      memberships {\n        group {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzTransitiveMembers($id: ID!) {\n    group(id: $id) {\n      members(transitive: true, first: 100) {\n        totalCount\n        nodes {\n          user {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzTransitiveMembers($id: ID!) {\n    group(id: $id) {\n      members(transitive: true, first: 100) {\n        totalCount\n        nodes {\n          user {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzUserTransitiveGroups($id: ID!) {\n    user(id: $id) {\n      groups(transitive: true) {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzUserTransitiveGroups($id: ID!) {\n    user(id: $id) {\n      groups(transitive: true) {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthzGroupsWithMembers {\n    groups(first: 50) {\n      nodes {\n        id\n        members(first: 10) {\n          nodes {\n            role\n            user {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthzGroupsWithMembers {\n    groups(first: 50) {\n      nodes {\n        id\n        members(first: 10) {\n          nodes {\n            role\n            user {\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  mutation InitiativeCreate($input: CreateInitiativeInput!) {\n    createInitiative(input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n      groups {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InitiativeCreate($input: CreateInitiativeInput!) {\n    createInitiative(input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n      groups {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InitiativeUpdate($id: ID!, $input: UpdateInitiativeInput!) {\n    updateInitiative(id: $id, input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation InitiativeUpdate($id: ID!, $input: UpdateInitiativeInput!) {\n    updateInitiative(id: $id, input: $input) {\n      id\n      name\n      description\n      startDate\n      endDate\n      createdAt\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InitiativeDelete($id: ID!) {\n    deleteInitiative(id: $id)\n  }\n"): (typeof documents)["\n  mutation InitiativeDelete($id: ID!) {\n    deleteInitiative(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InitiativeLink($groupId: ID!, $initiativeId: ID!) {\n    linkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InitiativeLink($groupId: ID!, $initiativeId: ID!) {\n    linkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InitiativeUnlink($groupId: ID!, $initiativeId: ID!) {\n    unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InitiativeUnlink($groupId: ID!, $initiativeId: ID!) {\n    unlinkInitiative(groupId: $groupId, initiativeId: $initiativeId) {\n      id\n      initiativeCount\n      initiatives {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InitiativeById($id: ID!) {\n    initiative(id: $id) {\n      id\n      name\n      groups {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query InitiativeById($id: ID!) {\n    initiative(id: $id) {\n      id\n      name\n      groups {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InitiativeList($search: String, $first: Int, $after: String) {\n    initiatives(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query InitiativeList($search: String, $first: Int, $after: String) {\n    initiatives(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InitiativeGroupInitiatives($id: ID!) {\n    group(id: $id) {\n      initiativeCount\n      initiatives {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query InitiativeGroupInitiatives($id: ID!) {\n    group(id: $id) {\n      initiativeCount\n      initiatives {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InitiativeGroupsWithInitiatives {\n    groups(first: 50) {\n      nodes {\n        initiatives {\n          id\n          name\n        }\n        initiativeCount\n      }\n    }\n  }\n"): (typeof documents)["\n  query InitiativeGroupsWithInitiatives {\n    groups(first: 50) {\n      nodes {\n        initiatives {\n          id\n          name\n        }\n        initiativeCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InitiativeListWithGroups {\n    initiatives(first: 50) {\n      nodes {\n        groups {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query InitiativeListWithGroups {\n    initiatives(first: 50) {\n      nodes {\n        groups {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddLeader($input: AddLeaderInput!) {\n    addLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n      createdAt\n      updatedAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddLeader($input: AddLeaderInput!) {\n    addLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n      createdAt\n      updatedAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveLeader($input: RemoveLeaderInput!) {\n    removeLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveLeader($input: RemoveLeaderInput!) {\n    removeLeader(input: $input) {\n      id\n      startDate\n      endDate\n      isActive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Leaders($id: ID!, $asOf: Date) {\n    group(id: $id) {\n      leaders(asOf: $asOf) {\n        user {\n          id\n        }\n        startDate\n        endDate\n      }\n      leaderCount\n      warnings\n      leadershipHistory {\n        user {\n          id\n        }\n        startDate\n        endDate\n        isActive\n      }\n    }\n  }\n"): (typeof documents)["\n  query Leaders($id: ID!, $asOf: Date) {\n    group(id: $id) {\n      leaders(asOf: $asOf) {\n        user {\n          id\n        }\n        startDate\n        endDate\n      }\n      leaderCount\n      warnings\n      leadershipHistory {\n        user {\n          id\n        }\n        startDate\n        endDate\n        isActive\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserLeaderships($id: ID!, $includeHistorical: Boolean) {\n    user(id: $id) {\n      leaderships(includeHistorical: $includeHistorical) {\n        startDate\n        endDate\n        isActive\n        group {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UserLeaderships($id: ID!, $includeHistorical: Boolean) {\n    user(id: $id) {\n      leaderships(includeHistorical: $includeHistorical) {\n        startDate\n        endDate\n        isActive\n        group {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupsWithLeaders($search: String) {\n    groups(first: 50, filter: { search: $search }) {\n      nodes {\n        id\n        leaderCount\n        warnings\n        leaders {\n          user {\n            name\n          }\n        }\n        leadershipHistory {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query GroupsWithLeaders($search: String) {\n    groups(first: 50, filter: { search: $search }) {\n      nodes {\n        id\n        leaderCount\n        warnings\n        leaders {\n          user {\n            name\n          }\n        }\n        leadershipHistory {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n      isActive\n      joinedAt\n      expiresAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n      invitedBy {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddMember($input: AddMemberInput!) {\n    addMember(input: $input) {\n      id\n      role\n      status\n      isActive\n      joinedAt\n      expiresAt\n      group {\n        id\n      }\n      user {\n        id\n      }\n      invitedBy {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateMemberRole($groupId: ID!, $userId: ID!, $role: String!) {\n    updateMemberRole(groupId: $groupId, userId: $userId, role: $role) {\n      id\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n      isActive\n    }\n  }\n"): (typeof documents)["\n  mutation SetMemberStatus($groupId: ID!, $userId: ID!, $status: MembershipStatus!) {\n    setMemberStatus(groupId: $groupId, userId: $userId, status: $status) {\n      id\n      status\n      isActive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation RespondToInvitation($groupId: ID!, $accept: Boolean!) {\n    respondToInvitation(groupId: $groupId, accept: $accept) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($groupId: ID!, $userId: ID!) {\n    removeMember(groupId: $groupId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      id\n      role\n      status\n      isActive\n    }\n    group(id: $groupId) {\n      memberCount\n      membership(userId: $userId) {\n        id\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query MembershipOf($groupId: ID!, $userId: ID!) {\n    membership(groupId: $groupId, userId: $userId) {\n      id\n      role\n      status\n      isActive\n    }\n    group(id: $groupId) {\n      memberCount\n      membership(userId: $userId) {\n        id\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members($id: ID!, $role: String, $includeInactive: Boolean, $transitive: Boolean, $first: Int, $after: String) {\n    group(id: $id) {\n      members(role: $role, includeInactive: $includeInactive, transitive: $transitive, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          role\n          status\n          user {\n            id\n          }\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Members($id: ID!, $role: String, $includeInactive: Boolean, $transitive: Boolean, $first: Int, $after: String) {\n    group(id: $id) {\n      members(role: $role, includeInactive: $includeInactive, transitive: $transitive, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          role\n          status\n          user {\n            id\n          }\n          group {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserMemberships($id: ID!, $includeInactive: Boolean, $role: String, $transitive: Boolean, $groupType: String) {\n    user(id: $id) {\n      memberships(includeInactive: $includeInactive, role: $role) {\n        role\n        status\n        group {\n          id\n        }\n      }\n      groups(transitive: $transitive, groupType: $groupType) {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query UserMemberships($id: ID!, $includeInactive: Boolean, $role: String, $transitive: Boolean, $groupType: String) {\n    user(id: $id) {\n      memberships(includeInactive: $includeInactive, role: $role) {\n        role\n        status\n        group {\n          id\n        }\n      }\n      groups(transitive: $transitive, groupType: $groupType) {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CanUpdate($userId: ID!, $groupId: ID!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: \"groups.update\") {\n      allowed\n    }\n  }\n"): (typeof documents)["\n  query CanUpdate($userId: ID!, $groupId: ID!) {\n    checkPermission(userId: $userId, groupId: $groupId, permission: \"groups.update\") {\n      allowed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionsList(\n    $keys: [String!]\n    $module: String\n    $capability: String\n    $includeInactive: Boolean\n    $includeDeprecated: Boolean\n  ) {\n    permissions(\n      keys: $keys\n      module: $module\n      capability: $capability\n      includeInactive: $includeInactive\n      includeDeprecated: $includeDeprecated\n    ) {\n      key\n      module\n      capability\n      label\n      description\n      isActive\n      isDeprecated\n      createdAt\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  query PermissionsList(\n    $keys: [String!]\n    $module: String\n    $capability: String\n    $includeInactive: Boolean\n    $includeDeprecated: Boolean\n  ) {\n    permissions(\n      keys: $keys\n      module: $module\n      capability: $capability\n      includeInactive: $includeInactive\n      includeDeprecated: $includeDeprecated\n    ) {\n      key\n      module\n      capability\n      label\n      description\n      isActive\n      isDeprecated\n      createdAt\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionByKey($key: String!) {\n    permission(key: $key) {\n      key\n      module\n      capability\n      label\n      isActive\n    }\n  }\n"): (typeof documents)["\n  query PermissionByKey($key: String!) {\n    permission(key: $key) {\n      key\n      module\n      capability\n      label\n      isActive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionModulesTree {\n    permissionModules {\n      key\n      label\n      description\n      parent {\n        key\n        label\n      }\n      permissions {\n        key\n        isDeprecated\n      }\n    }\n  }\n"): (typeof documents)["\n  query PermissionModulesTree {\n    permissionModules {\n      key\n      label\n      description\n      parent {\n        key\n        label\n      }\n      permissions {\n        key\n        isDeprecated\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RolesList {\n    roles {\n      name\n      label\n      rank\n      permissions\n    }\n  }\n"): (typeof documents)["\n  query RolesList {\n    roles {\n      name\n      label\n      rank\n      permissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PermissionHealthReport {\n    permissionHealth {\n      status\n      definedCount\n      storedCount\n      orphanedKeys\n      missingKeys\n    }\n  }\n"): (typeof documents)["\n  query PermissionHealthReport {\n    permissionHealth {\n      status\n      definedCount\n      storedCount\n      orphanedKeys\n      missingKeys\n    }\n  }\n"];
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