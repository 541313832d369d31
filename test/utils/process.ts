import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Compiles the service to dist/ (as `npm run build` does), for tests that run it as a real process. */
export function buildService(): void {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT });
}

/** One JSON log line of the service (src/shared/logger.ts). */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * The built service (`node dist/src/index.js`) as a child process of the test. `start` resolves
 * once the process logs "listening" (PORT=0: the URL comes from that line); `kill` signals it by
 * PID and waits for it to exit. Whoever starts one kills it in afterAll/finally.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private pending = "";
  /** Everything the process wrote (stdout and stderr), for failure messages. */
  output = "";
  /** The JSON log lines seen so far. */
  readonly logs: LogLine[] = [];

  constructor(readonly name: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process has exited (or was never started). */
  get exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Starts the service with `env` on top of the test's environment; resolves when it listens. */
  async start(env: Record<string, string>, timeoutMs = 30_000): Promise<{ url: string; pid: number }> {
    if (this.child) throw new Error(`${this.name} was started already`);
    const child = spawn(process.execPath, ["dist/src/index.js"], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.stdout!.on("data", (chunk: Buffer) => this.read(chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listening = this.logs.find((line) => line.msg === "listening");
      if (listening) return { url: String(listening.url), pid: child.pid! };
      if (this.exited) throw new Error(`${this.name} exited before listening:\n${this.output}`);
      if (Date.now() > deadline) {
        await this.kill("SIGKILL");
        throw new Error(`${this.name} did not start within ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Sends `signal` to the process by its PID and waits until it has exited (SIGKILL after
   * `timeoutMs` if it is still alive). Does nothing for a process that is not running.
   */
  async kill(
    signal: NodeJS.Signals = "SIGTERM",
    timeoutMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child || !this.exit) return { code: null, signal: null };
    if (!this.exited) process.kill(this.child.pid!, signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const result = await Promise.race([this.exit, late.then(() => undefined)]);
    clearTimeout(timer);
    if (result) return result;
    if (!this.exited) process.kill(this.child.pid!, "SIGKILL");
    return this.exit;
  }

  private read(text: string): void {
    this.output += text;
    this.pending += text;
    const lines = this.pending.split("\n");
    this.pending = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
  }
}
