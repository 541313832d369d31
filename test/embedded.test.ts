import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The first quick-start command on a machine with nothing but Node: the built service, with
 * DATABASE_URL unset, starts its own embedded PostgreSQL, prints a ready admin token that answers
 * `{ me { id } }`, and shuts down cleanly (exit 0, database stopped) on SIGTERM.
 */
describe("npm start on the embedded database", () => {
  const root = path.resolve(__dirname, "..");
  const dataDir = path.join(root, "data", `e2e-${process.pid}`);
  let child: ChildProcess | undefined;

  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  afterAll(() => {
    if (child?.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts, answers with the printed token, and stops on SIGTERM with exit 0", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    };
    delete env.DATABASE_URL;
    delete env.JWT_SECRET;
    delete env.JWKS_URL;
    delete env.NODE_ENV;
    child = spawn(process.execPath, ["dist/src/index.js"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

    const deadline = Date.now() + 60_000;
    while (!/Bearer (\S+)"/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const token = /Bearer (\S+)"/.exec(output)![1]!;
    const url = /ready at (\S+)/.exec(output)![1]!;

    const health = await fetch(url.replace("/graphql", "/health"));
    expect(health.status).toBe(200);
    const ready = await fetch(url.replace("/graphql", "/ready"));
    expect(ready.status).toBe(200);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { id isGlobalAdmin } }" }),
    });
    expect(await res.json()).toEqual({
      data: { me: { id: "00000000-0000-4000-8000-000000000001", isGlobalAdmin: true } },
    });
    expect(fs.existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(true);

    const exit = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    // the embedded server was stopped with the service
    expect(fs.existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    // JSON log lines, the secret kept under the data folder with owner-only permissions
    expect(output).toContain('"msg":"stopped"');
    expect(fs.statSync(path.join(dataDir, "jwt-secret")).mode & 0o077).toBe(0);
  }, 120_000);
});
