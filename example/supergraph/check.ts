import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { parse } from "graphql";
import { contractProblems } from "../../src/federation";
import { composeSupergraph, exampleSubgraphs, GROUPS, type Hint, readGroupsSchemaFile, repoRoot } from "./compose";

/**
 * `npm run schema:check`: would the committed schema.graphql still compose, and does it still
 * honour the contract? No server is needed: the subgraphs get placeholder URLs.
 */

/** A deployment whose composition is checked. */
export interface Deployment {
  name: string;
  /** Subgraph names, groups first. */
  subgraphs: string[];
  hints: Hint[];
}

/** What {@link checkSchema} found. */
export interface SchemaCheck {
  /** True when every deployment composes and nothing of the contract is missing. */
  ok: boolean;
  /** Composition errors, each prefixed with its deployment. */
  compositionErrors: string[];
  /** Every way the schema fails to cover the contract (a dropped field, a changed type...). */
  breakingChanges: string[];
  deployments: Deployment[];
}

const PLACEHOLDER = (name: string) => `http://${name}.invalid/graphql`;

/**
 * Checks a groups subgraph SDL: composes it into both example deployments, the full supergraph
 * (groups + accounts as identity subgraph + courses) and the standalone one without an identity
 * subgraph (groups + courses), and compares it with the contract.
 *
 * @param input.schemaSdl the groups subgraph SDL (schema.graphql; a leading comment header is fine)
 * @param input.contractSdl the contract (docs/contract/contract.graphql, the project's copy)
 */
export function checkSchema(input: { schemaSdl: string; contractSdl: string }): SchemaCheck {
  const groups = { name: GROUPS, url: PLACEHOLDER(GROUPS), sdl: input.schemaSdl };
  const [accounts, courses] = exampleSubgraphs({ accounts: PLACEHOLDER("accounts"), courses: PLACEHOLDER("courses") });
  const plans = [
    { name: "supergraph (groups + accounts + courses)", subgraphs: [groups, accounts, courses] },
    { name: "standalone (groups + courses)", subgraphs: [groups, courses] },
  ];
  const compositionErrors: string[] = [];
  const deployments: Deployment[] = [];
  for (const plan of plans) {
    const result = composeSupergraph(plan.subgraphs);
    compositionErrors.push(...result.errors.map((e) => `${plan.name}: ${e}`));
    deployments.push({ name: plan.name, subgraphs: plan.subgraphs.map((s) => s.name), hints: result.hints });
  }
  let breakingChanges: string[];
  try {
    breakingChanges = contractProblems(parse(input.contractSdl), parse(input.schemaSdl));
  } catch (error) {
    breakingChanges = [`cannot compare with the contract: ${(error as Error).message}`];
  }
  return {
    ok: compositionErrors.length === 0 && breakingChanges.length === 0,
    compositionErrors,
    breakingChanges,
    deployments,
  };
}

/** The contract's path: CONTRACT_PATH, or the project's copy, docs/contract/contract.graphql. */
export function contractPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.CONTRACT_PATH || path.join(repoRoot(), "docs", "contract", "contract.graphql"));
}

function main(): number {
  const out = (line: string) => process.stdout.write(line + "\n");
  const err = (line: string) => process.stderr.write(line + "\n");
  const contractFile = contractPath();
  if (!fs.existsSync(contractFile)) {
    err(`schema:check: the contract is missing: ${contractFile} (set CONTRACT_PATH to its location)`);
    return 1;
  }
  const result = checkSchema({
    schemaSdl: readGroupsSchemaFile(),
    contractSdl: fs.readFileSync(contractFile, "utf8"),
  });
  for (const deployment of result.deployments) {
    for (const hint of deployment.hints) out(`warning: ${deployment.name}: [${hint.code}] ${hint.message}`);
  }
  for (const error of result.compositionErrors) err(`composition error: ${error}`);
  for (const problem of result.breakingChanges) err(`breaking change against the contract: ${problem}`);
  if (!result.ok) {
    err(
      `schema:check failed: ${result.compositionErrors.length} composition error(s), ` +
        `${result.breakingChanges.length} breaking change(s)`,
    );
    return 1;
  }
  const hints = result.deployments.reduce((n, d) => n + d.hints.length, 0);
  out(
    `ok: schema.graphql composes as ${result.deployments.map((d) => d.name).join(" and ")} ` +
      `(${hints} hint(s)) and covers the contract ${path.relative(process.cwd(), contractFile) || contractFile}`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main();
