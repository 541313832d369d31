import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { mintToken } from "../src/auth";
import type { EmbeddedOwner } from "../src/db";
import { buildService, ServiceProcess } from "./utils/process";
import { TEST_SECRET } from "./utils/service";

/**
 * One embedded PostgreSQL per data folder, one owner: CLI commands run beside a live `npm start`
 * borrow its server instead of stopping it; a second start on the folder refuses, naming the
 * owner; a start after the owner was SIGKILLed takes the orphaned server over; a command with no
 * service running starts and stops its own server, as before.
 */
const ROOT = path.resolve(__dirname, "..");
const ME = "00000000-0000-4000-8000-0000000000a1";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A built CLI command (`dist/src/cli/<script>`) with `env` on top of the test's environment. */
function runCli(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join("dist/src/cli", script), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

describe("the embedded PostgreSQL of a data folder has one owner", () => {
  const dataDir = path.join(ROOT, "data", `owner-${process.pid}`);
  const pidFile = path.join(dataDir, "pg", "postmaster.pid");
  const ownerFile = path.join(dataDir, "embedded-owner.json");
  // The embedded database only: the test's DATABASE_URL and any JWKS_URL are cleared (blank = unset).
  const env = { DATA_DIR: dataDir, DATABASE_URL: "", JWKS_URL: "", JWT_SECRET: TEST_SECRET };
  const started: ServiceProcess[] = [];
  let token: string;

  const postmasterPid = () =>
    fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]) : undefined;
  const owner = () => JSON.parse(fs.readFileSync(ownerFile, "utf8")) as EmbeddedOwner;
  /** The owner file once the service has recorded its HTTP port (just after it logs "listening"). */
  const servingOwner = async () => {
    for (const deadline = Date.now() + 10_000; !owner().httpPort && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return owner();
  };
  const service = (name: string) => {
    const child = new ServiceProcess(name);
    started.push(child);
    return child;
  };
  const me = async (url: string) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    buildService();
    fs.rmSync(dataDir, { recursive: true, force: true });
    token = await mintToken(TEST_SECRET, { sub: ME, name: "Owner test" });
  }, 120_000);

  afterAll(async () => {
    for (const child of started) await child.kill("SIGKILL");
    // A postmaster orphaned by a failed step (its service SIGKILLed): stopped by its PID.
    const pid = postmasterPid();
    if (pid && alive(pid)) {
      process.kill(pid, "SIGINT");
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("serves through CLI commands beside it, refuses a second start, and is taken over after SIGKILL", async () => {
    // Two starts at once on a fresh folder: exactly one claims it, the other refuses naming it.
    const [first, second] = [service("first"), service("second")];
    const results = await Promise.allSettled([first.start(env, 60_000), second.start(env, 60_000)]);
    const winnerIndex = results.findIndex((r) => r.status === "fulfilled");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [winner, loser] = winnerIndex === 0 ? [first, second] : [second, first];
    const { url } = (results[winnerIndex] as PromiseFulfilledResult<{ url: string }>).value;
    expect((await loser.kill()).code).not.toBe(0);
    expect(loser.output).toContain(`PID ${winner.pid}`);

    expect(await me(url)).toEqual({ status: 200, body: { data: { me: { id: ME } } } });
    const httpPort = Number(new URL(url).port);
    const claim = await servingOwner();
    expect(claim).toMatchObject({ pid: winner.pid, role: "service", httpPort, port: expect.any(Number) });
    const postmaster = postmasterPid()!;

    // CLI commands beside the live service: they use its server (same port) and leave it running.
    const health = await runCli("permissions.js", ["health"], env);
    expect(health).toMatchObject({ code: 0, stdout: expect.stringContaining("status: ") });
    const migrate = await runCli("migrate.js", ["run"], env);
    expect(migrate).toMatchObject({ code: 0, stdout: "nothing to apply\n" });
    expect(postmasterPid()).toBe(postmaster);
    expect(alive(postmaster)).toBe(true);
    expect(await me(url)).toEqual({ status: 200, body: { data: { me: { id: ME } } } });
    expect((await fetch(url.replace("/graphql", "/ready"))).status).toBe(200);

    // A second `npm start` on the folder: refused at once, one line naming the owner and the way out.
    const refused = service("refused");
    const before = Date.now();
    await expect(refused.start(env, 30_000)).rejects.toThrow(/exited before listening/);
    expect(Date.now() - before).toBeLessThan(10_000);
    expect((await refused.kill()).code).toBe(1);
    const line = refused.output.split("\n").find((l) => l.includes("is in use by"));
    expect(line).toContain(`PID ${winner.pid}`);
    expect(line).toContain(`HTTP port ${httpPort}`);
    expect(line).toContain("DATA_DIR=");
    expect(await me(url)).toEqual({ status: 200, body: { data: { me: { id: ME } } } });

    // The owner dies without stopping anything: its postmaster is an orphan, its claim is stale.
    await winner.kill("SIGKILL");
    expect(alive(postmaster)).toBe(true);
    expect(owner().pid).toBe(winner.pid);
    const heir = service("heir");
    const { url: heirUrl } = await heir.start(env, 60_000);
    expect(alive(postmaster)).toBe(false);
    expect(await servingOwner()).toMatchObject({ pid: heir.pid, httpPort: Number(new URL(heirUrl).port) });
    expect(await me(heirUrl)).toEqual({ status: 200, body: { data: { me: { id: ME } } } });
    expect(await heir.kill("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(fs.existsSync(ownerFile)).toBe(false);

    // No service running: a command starts the server for its run and stops it, as before; a second
    // command at the same time waits for the first one's run, then starts its own.
    const [alone, next] = await Promise.all([
      runCli("permissions.js", ["health"], env),
      runCli("permissions.js", ["health"], env),
    ]);
    expect(alone).toMatchObject({ code: 0, stdout: expect.stringContaining("status: ") });
    expect(next).toMatchObject({ code: 0, stdout: expect.stringContaining("status: ") });
    expect(fs.existsSync(pidFile)).toBe(false);
    expect(fs.existsSync(ownerFile)).toBe(false);
  }, 180_000);
});
