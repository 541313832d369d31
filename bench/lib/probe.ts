/**
 * Preloaded into every benchmarked server (`node -r dist/bench/lib/probe.js`): counts the SQL
 * statements it sends through `pg` (every copy of the module, whoever loads it) and answers the
 * bench runner's "stats" message over the IPC channel with the count, its RSS and CPU time.
 * The same probe in the service, PostGraphile and the floor makes their numbers comparable.
 */
import Module from "node:module";

export interface ProbeStats {
  statements: number;
  rss: number;
  heapUsed: number;
  cpuMicros: number;
}

let statements = 0;
const patched = new WeakSet<object>();

function patch(pg: { Client?: { prototype: { query: (...args: unknown[]) => unknown } } }): void {
  const proto = pg?.Client?.prototype;
  if (!proto || patched.has(proto)) return;
  patched.add(proto);
  const query = proto.query;
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  };
}

type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
const load = moduleWithLoad._load;
moduleWithLoad._load = function probedLoad(request, parent, isMain) {
  const exported = load.call(this, request, parent, isMain);
  if (request === "pg") patch(exported as Parameters<typeof patch>[0]);
  return exported;
};

if (process.send) {
  process.on("message", (message: unknown) => {
    if (message !== "stats") return;
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const stats: ProbeStats = {
      statements,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      cpuMicros: cpu.user + cpu.system,
    };
    process.send!({ probe: stats });
  });
  // The channel must not keep a server alive on its own, nor end it when the runner goes.
  process.channel?.unref();
}
