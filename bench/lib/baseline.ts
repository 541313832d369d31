import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { ServerName, ShapeName } from "./shapes";

/**
 * A run held against an earlier one. Throughput in req/s moves with the machine's state (a shared
 * 2-core VM gives a third more or less from one hour to the next), and the peers move with it: so
 * what is compared is the service's throughput relative to a peer measured in the same run
 * (service / floor, service / PostGraphile), this run's median against the baseline's.
 */

/** The shapes done-when 3 of issue 18 speaks of. */
export const COMPARED_SHAPES: readonly ShapeName[] = ["Q1", "Q2", "Q3", "Q4"];

/** Within this much of the baseline's ratio (or above it) counts as unchanged. */
export const TOLERANCE = 0.05;

/** A service / peer throughput ratio of a run (its median over the run's repetitions). */
export interface PeerRatio {
  shape: ShapeName;
  concurrency: number;
  peer: ServerName;
  median: number;
}

export interface BaselineRow {
  shape: ShapeName;
  concurrency: number;
  peer: ServerName;
  baseline: number;
  now: number;
  /** now / baseline - 1. */
  change: number;
  /** Not lower than the baseline by more than TOLERANCE. */
  ok: boolean;
}

export interface BaselineComparison {
  file: string;
  scale: string;
  runCount: number;
  rows: BaselineRow[];
  /** Why nothing was compared, when nothing was. */
  skipped?: string;
}

/**
 * The newest result file committed to git under `dir` (names start with their ISO time, so the
 * last in order is the newest); when git cannot say (no repository), the newest file there.
 */
export function newestCommittedResult(root: string, dir: string): string | undefined {
  let names: string[];
  try {
    names = execFileSync("git", ["ls-files", "-z", "--", path.relative(root, dir)], { cwd: root, encoding: "utf8" })
      .split("\0")
      .filter((name) => path.dirname(name) === path.relative(root, dir))
      .map((name) => path.basename(name));
  } catch {
    names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }
  const newest = names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .pop();
  return newest && path.join(dir, newest);
}

/** This run's Q1–Q4 ratios against the same ones in the baseline file (same scale, shape, concurrency, peer). */
export function compareWithBaseline(file: string, scale: string, ratios: readonly PeerRatio[]): BaselineComparison {
  const baseline = JSON.parse(fs.readFileSync(file, "utf8")) as {
    scale: string;
    runCount?: number;
    ratios?: PeerRatio[];
  };
  const result: BaselineComparison = { file, scale: baseline.scale, runCount: baseline.runCount ?? 1, rows: [] };
  if (baseline.scale !== scale) {
    result.skipped = `the baseline was measured at scale "${baseline.scale}", this run at "${scale}"`;
    return result;
  }
  for (const now of ratios) {
    if (!COMPARED_SHAPES.includes(now.shape)) continue;
    const then = baseline.ratios?.find(
      (r) => r.shape === now.shape && r.concurrency === now.concurrency && r.peer === now.peer,
    );
    if (!then || !(then.median > 0) || !Number.isFinite(now.median)) continue;
    const change = now.median / then.median - 1;
    result.rows.push({
      shape: now.shape,
      concurrency: now.concurrency,
      peer: now.peer,
      baseline: then.median,
      now: now.median,
      change,
      ok: change >= -TOLERANCE,
    });
  }
  if (!result.rows.length) result.skipped = "no Q1–Q4 ratio of this run (shape, concurrency, peer) is in the baseline";
  return result;
}

/** The comparison as a markdown table, with a verdict line. */
export function baselineTable(comparison: BaselineComparison, root: string): string {
  const name = path.relative(root, comparison.file);
  if (comparison.skipped) return `Baseline ${name}: not compared (${comparison.skipped}).`;
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  const lines = [
    `Against ${name} (${comparison.runCount} run${comparison.runCount > 1 ? "s" : ""}): the service's throughput ` +
      `relative to each peer, then and now (within ${TOLERANCE * 100}% = not lower by more than that)`,
    "",
    "| shape | c | service / | baseline | this run | change | within 5% |",
    "|---|---|---|---|---|---|---|",
    ...comparison.rows.map(
      (r) =>
        `| ${r.shape} | ${r.concurrency} | ${r.peer} | ${r.baseline.toFixed(3)}x | ${r.now.toFixed(3)}x | ${pct(r.change)} | ${
          r.ok ? (r.change > TOLERANCE ? "yes (faster)" : "yes") : "**no**"
        } |`,
    ),
  ];
  const failed = comparison.rows.filter((r) => !r.ok);
  lines.push(
    "",
    failed.length
      ? `Q1–Q4 against the baseline: ${failed.length} of ${comparison.rows.length} ratios lower by more than 5% (${failed
          .map((r) => `${r.shape} c=${r.concurrency} vs ${r.peer}`)
          .join(", ")}).`
      : `Q1–Q4 against the baseline: every ratio within 5% or better (${comparison.rows.length} compared).`,
  );
  return lines.join("\n");
}
