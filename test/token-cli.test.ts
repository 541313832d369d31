import { execFile } from "node:child_process";
import path from "node:path";
import { decodeJwt } from "jose";
import { buildService } from "./utils/process";
import { TEST_SECRET } from "./utils/service";

/** `npm run token`: the bare token on stdout, and on stderr which user id (`sub`) it is for. */
const ROOT = path.resolve(__dirname, "..");

function token(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["dist/src/cli/token.js", ...args],
      { cwd: ROOT, env: { ...process.env, JWT_SECRET: TEST_SECRET, JWKS_URL: "" }, timeout: 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe("npm run token", () => {
  beforeAll(() => buildService(), 120_000);

  it("prints the sub it was given, and the one it made up", async () => {
    const sub = "00000000-0000-4000-8000-0000000000c1";
    const given = await token(["--sub", sub, "--admin"]);
    expect(given.stderr).toBe(`token for sub ${sub} (global admin), expires in 30d\n`);
    expect(given.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(decodeJwt(given.stdout.trim()).sub).toBe(sub);

    const random = await token([]);
    const printed = /^token for sub ([0-9a-f-]{36}), expires in 30d\n$/.exec(random.stderr)?.[1];
    expect(printed).toBeDefined();
    expect(decodeJwt(random.stdout.trim()).sub).toBe(printed);
  }, 60_000);
});
