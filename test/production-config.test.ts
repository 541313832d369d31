import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { mintToken } from "../src/auth";
import { ConfigError, loadConfig, requireProductionSettings } from "../src/config";
import { buildService, ServiceProcess } from "./utils/process";
import { createTestDatabase, TEST_SECRET } from "./utils/service";

/**
 * NODE_ENV=production: the service refuses to start half-configured (no DATABASE_URL, no
 * JWT_SECRET/JWKS_URL), and on SIGTERM /ready turns 503 at once while requests, in flight and new,
 * are still served until the drain ends.
 */
const ROOT = path.resolve(__dirname, "..");

/** Runs the built service to its exit (SIGKILLed by PID after `timeoutMs`): exit code, stderr, time taken. */
function runToExit(env: Record<string, string>, timeoutMs = 20_000) {
  return new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child: ChildProcess = spawn(process.execPath, ["dist/src/index.js"], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe("production configuration", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "production-config-"));
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    buildService();
    database = await createTestDatabase();
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("needs DATABASE_URL and JWT_SECRET or JWKS_URL; the shutdown delay defaults to 5 s there, 0 elsewhere", () => {
    const check = (env: NodeJS.ProcessEnv) => () => requireProductionSettings(loadConfig(env));
    expect(check({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(check({ NODE_ENV: "production", DATABASE_URL: database.url })).toThrow(/JWT_SECRET or JWKS_URL/);
    expect(check({ NODE_ENV: "production", JWT_SECRET: TEST_SECRET })).toThrow(/DATABASE_URL/);
    expect(check({ NODE_ENV: "production", DATABASE_URL: database.url, JWT_SECRET: TEST_SECRET })).not.toThrow();
    expect(
      check({ NODE_ENV: "production", DATABASE_URL: database.url, JWKS_URL: "https://id.example.org/jwks" }),
    ).not.toThrow();
    expect(check({ NODE_ENV: "development" })).not.toThrow();
    expect(loadConfig({ NODE_ENV: "production" }).shutdownDelayMs).toBe(5000);
    expect(loadConfig({}).shutdownDelayMs).toBe(0);
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "", JWT_SECRET: TEST_SECRET }, /without DATABASE_URL/],
    ["JWT_SECRET/JWKS_URL", { JWT_SECRET: "", JWKS_URL: "" }, /without JWT_SECRET or JWKS_URL/],
  ])(
    "refuses to start without %s: exit 1 at once, one line on stderr",
    async (_name, missing, message) => {
      const result = await runToExit({
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        JWKS_URL: "",
        ...missing,
      });
      expect(result.code).toBe(1);
      expect(result.ms).toBeLessThan(10_000);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/^NODE_ENV=production refuses to start/);
      // Refused before touching anything: no embedded database, no generated secret.
      expect(fs.readdirSync(dataDir)).toEqual([]);
    },
    30_000,
  );

  it("answers /ready 503 from SIGTERM on, still serving new and in-flight requests until the drain ends", async () => {
    const service = new ServiceProcess("draining");
    try {
      const { url } = await service.start({
        NODE_ENV: "production",
        DATABASE_URL: database.url,
        JWT_SECRET: TEST_SECRET,
        SHUTDOWN_DELAY_MS: "1500",
      });
      const base = url.replace(/\/graphql$/, "");
      const sub = "00000000-0000-4000-8000-0000000000d1";
      const token = await mintToken(TEST_SECRET, { sub, name: "Drain" });
      const me = () =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: "{ me { id } }" }),
        });
      expect((await fetch(`${base}/ready`)).status).toBe(200);

      // A request in flight across the whole shutdown: headers and half its body now, the rest later.
      const body = JSON.stringify({ query: "{ me { id } }" });
      const socket = net.connect(Number(new URL(url).port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      let raw = "";
      socket.on("data", (chunk: Buffer) => (raw += chunk.toString()));
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `authorization: Bearer ${token}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n` +
          body.slice(0, 10),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      const sigterm = Date.now();
      const exited = service.kill("SIGTERM", 20_000);
      // The signal is delivered asynchronously: probe once the process has taken it.
      while (!service.logs.some((line) => line.msg === "shutting down")) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "unavailable", reason: "shutting down" });
      expect(Date.now() - sigterm).toBeLessThan(1500);
      // New requests are still served while the load balancer takes the replica out.
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const during = await me();
      expect(during.status).toBe(200);
      expect(await during.json()).toEqual({ data: { me: { id: sub } } });

      // Past the delay the service drains: the request in flight still completes.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(service.exited).toBe(false);
      socket.write(body.slice(10));
      await closed;
      expect(raw).toMatch(/^HTTP\/1\.1 200 /);
      expect(raw).toContain(`{"data":{"me":{"id":"${sub}"}}}`);
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(service.logs.map((line) => line.msg)).toEqual(
        expect.arrayContaining(["shutting down", "not ready; draining after the shutdown delay", "stopped"]),
      );
    } finally {
      await service.kill("SIGKILL");
    }
  }, 60_000);
});
