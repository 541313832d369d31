import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { buildGroupsSubgraph, SCHEMA_FILE_HEADER } from "../federation";

/** `npm run schema`: writes schema.graphql from the subgraph SDL (federation directives included). */
async function main(): Promise<void> {
  const { sdl } = await buildGroupsSubgraph();
  const file = path.resolve(__dirname, "../../../schema.graphql");
  fs.writeFileSync(file, SCHEMA_FILE_HEADER + sdl + "\n");
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
