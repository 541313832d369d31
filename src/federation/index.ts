export { buildGroupsSubgraph, FEDERATION_LINK, SCHEMA_FILE_HEADER, type SubgraphSchema } from "./schema";
export { contractProblems } from "./contract-check";
