import { AsyncLocalStorage } from "node:async_hooks";
import type { LogLevel } from "../config";

/** What travels with one request through every async hop: its id and its SQL statement count. */
export interface RequestScope {
  requestId: string;
  sqlStatements: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Structured JSON lines on stdout; the current request id is added to every line. */
export class Logger {
  constructor(private level: LogLevel = "info") {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  /** Whether a line at `level` would be written (skip building costly fields when not). */
  enabled(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[this.level];
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write("error", msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const requestId = requestScope.getStore()?.requestId;
    const line = { level, time: new Date().toISOString(), msg, ...(requestId ? { requestId } : {}), ...fields };
    process.stdout.write(JSON.stringify(line, errorReplacer) + "\n");
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

/** The process-wide logger; bootstrap() sets its level from the config. */
export const logger = new Logger(process.env.NODE_ENV === "test" ? "silent" : "info");
