import { AsyncLocalStorage } from "node:async_hooks";
import type { LogLevel } from "../config";

/** What travels with one request through every async hop: its id and its SQL statement count. */
export interface RequestScope {
  requestId: string;
  sqlStatements: number;
}

const storage = new AsyncLocalStorage<RequestScope>();
let tracking = false;

/**
 * The current request's scope, carried by AsyncLocalStorage, but only while something reads it:
 * the SQL statement count in responses (EXPOSE_SQL_COUNT, which the no-N+1 tests read) and debug
 * logging (each SQL line with its request id). Otherwise `run` just calls its function: on Node 20
 * a single entered AsyncLocalStorage turns on promise hooks for every promise the process makes
 * from then on, which was about 6% of the CPU of a `{ __typename }` request in the benchmark's
 * profile. Without it, the error lines of a request still name it (see `tagWithRequest`).
 */
export const requestScope = {
  /** From now on, requests run inside their scope (idempotent). */
  track(): void {
    tracking = true;
  },
  get tracking(): boolean {
    return tracking;
  },
  run<R>(scope: RequestScope, fn: () => R): R {
    return tracking ? storage.run(scope, fn) : fn();
  },
  getStore(): RequestScope | undefined {
    return tracking ? storage.getStore() : undefined;
  },
};

/** Request ids of errors raised during a request, for the line that logs one later (formatError). */
const errorRequests = new WeakMap<object, string>();

/** Remembers which request `error` belongs to: a log line whose `error` field is it names that request. */
export function tagWithRequest(error: unknown, requestId: string): void {
  if (typeof error === "object" && error !== null) errorRequests.set(error, requestId);
}

/** The active span's ids, while tracing is on (src/tracing.ts sets it); unset, nothing is asked. */
let traceIds: (() => { trace_id: string; span_id: string } | undefined) | undefined;

/** Log lines carry `trace_id` and `span_id` from `source` (undefined: no more). */
export function logTraceIds(source: typeof traceIds): void {
  traceIds = source;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Structured JSON lines on stdout; the current request id is added to every line. */
export class Logger {
  constructor(private level: LogLevel = "info") {
    if (level === "debug") requestScope.track();
  }

  setLevel(level: LogLevel): void {
    this.level = level;
    // Debug lines name the request of each SQL statement.
    if (level === "debug") requestScope.track();
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
    const requestId =
      requestScope.getStore()?.requestId ??
      (typeof fields?.error === "object" && fields.error !== null ? errorRequests.get(fields.error) : undefined);
    const line = {
      level,
      time: new Date().toISOString(),
      msg,
      ...(requestId ? { requestId } : {}),
      ...traceIds?.(),
      ...fields,
    };
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
