export { buildGroupsSubgraph, FEDERATION_LINK, SCHEMA_FILE_HEADER, type SubgraphSchema } from "./schema";
export { contractProblems, contractSoFar, nextBlocks, BUILT_NEXT_BLOCKS } from "./contract-check";
