import fs from "node:fs";
import path from "node:path";

/**
 * Every SQL statement of the service lives in a store (`src/<domain>/<domain>.store.ts`, or a
 * domain's `store/` folder), in `src/db/` (the driver, the template tag, the embedded server), or in
 * the access rules' fragments (`src/permissions/visibility.ts`); migrations are outside `src/`.
 * Anywhere else a statement is a defect: this test names the file and line.
 */

const SRC = path.resolve(__dirname, "../../src");
const ALLOWED = [/\.store\.ts$/, /\/store\//, /^db\//, /^permissions\/visibility\.ts$/];
const STATEMENT = new RegExp(
  [
    String.raw`SELECT\b[^\`]*\bFROM\b`, // SELECT ... FROM on one line
    String.raw`[\`"']\s*(SELECT|WITH)\b`, // a string that starts a query
    String.raw`\bFROM\s+[a-z_]+\s+[a-z]{1,2}\s+(WHERE|JOIN)\b`, // FROM table alias WHERE/JOIN
    String.raw`\bINSERT\s+INTO\b`,
    String.raw`\bUPDATE\s+\w+\s+(AS\s+\w+\s+)?SET\b`,
    String.raw`\bDELETE\s+FROM\b`,
    String.raw`\bWITH\s+RECURSIVE\b`,
    String.raw`\bLOCK\s+TABLE\b`,
  ].join("|"),
);

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The file's code without comments, line numbers kept. */
function code(text: string): string[] {
  const withoutBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, " "));
  return withoutBlocks.split("\n").map((line) => line.replace(/(^|[^:"'`])\/\/.*$/, "$1"));
}

describe("where SQL lives", () => {
  it("no statement outside the stores, src/db and the access rules' fragments", () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      const relative = path.relative(SRC, file).split(path.sep).join("/");
      if (ALLOWED.some((pattern) => pattern.test(relative))) continue;
      code(fs.readFileSync(file, "utf8")).forEach((line, i) => {
        if (STATEMENT.test(line)) offenders.push(`src/${relative}:${i + 1}: ${line.trim().slice(0, 100)}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("recognizes a statement (the check itself works)", () => {
    expect(STATEMENT.test("const rows = await query(db, `SELECT id FROM groups`);")).toBe(true);
    expect(STATEMENT.test("`UPDATE groups AS g SET name = $1`")).toBe(true);
    expect(STATEMENT.test("`DELETE FROM memberships WHERE`")).toBe(true);
    expect(STATEMENT.test("  FROM group_parents gp JOIN groups g ON g.id = gp.parent_id")).toBe(true);
    expect(STATEMENT.test('db.query("SELECT 1")')).toBe(true);
    expect(STATEMENT.test("the SELECT list derives from the column map")).toBe(false);
    expect(STATEMENT.test("a group is selected from the list")).toBe(false);
    expect(code("const a = 1; // SELECT id FROM t")[0]).toBe("const a = 1; ");
  });
});
