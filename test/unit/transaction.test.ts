import type { DataSource, EntityManager } from "typeorm";
import { inTransaction, registerConstraints } from "../../src/db";
import { ConflictError } from "../../src/shared/errors";

/*
 * inTransaction's one retry loop, without a database: a stand-in DataSource runs `work` as its
 * transaction, and `work` fails as PostgreSQL (through pg) would, a given number of times.
 */

registerConstraints({ unit_pair_key: { kind: "conflict", field: "pair", message: "pair is taken" } });

const deadlock = () => Object.assign(new Error("deadlock detected"), { code: "40P01" });
const pairTaken = () =>
  Object.assign(new Error("duplicate key value violates unique constraint"), {
    code: "23505",
    constraint: "unit_pair_key",
  });

/** A DataSource whose transactions run `work` at once; `runs` counts them. */
function dataSource(): DataSource & { runs: number } {
  const ds = {
    runs: 0,
    transaction: async <T>(work: (tx: EntityManager) => Promise<T>) => {
      ds.runs++;
      return work({} as EntityManager);
    },
  };
  return ds as unknown as DataSource & { runs: number };
}

/** Work that throws the given failures in turn, then answers "done". */
function failing(...failures: (() => Error)[]) {
  return async () => {
    const next = failures.shift();
    if (next) throw next();
    return "done";
  };
}

describe("inTransaction", () => {
  it("runs the work again after a deadlock or serialization failure, at most `attempts` runs in all", async () => {
    const ds = dataSource();
    await expect(inTransaction(ds, failing(deadlock, deadlock))).resolves.toBe("done");
    expect(ds.runs).toBe(3);
    const gives = dataSource();
    await expect(inTransaction(gives, failing(deadlock, deadlock, deadlock))).rejects.toMatchObject({
      code: "40P01",
    });
    expect(gives.runs).toBe(3);
  });

  it("does not run the work again for any other failure unless retryOn accepts it; that failure is translated", async () => {
    const ds = dataSource();
    await expect(inTransaction(ds, failing(pairTaken))).rejects.toBeInstanceOf(ConflictError);
    expect(ds.runs).toBe(1);
  });

  it("asks retryOn with the error as the caller would see it, and runs the work again when it says so", async () => {
    const ds = dataSource();
    const seen: unknown[] = [];
    const retryOn = (error: unknown) => {
      seen.push(error);
      return error instanceof ConflictError;
    };
    await expect(inTransaction(ds, failing(pairTaken), { retryOn })).resolves.toBe("done");
    expect(ds.runs).toBe(2);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ConflictError);
    // A deadlock is retried before retryOn is asked; anything retryOn declines is thrown at once.
    const declined = dataSource();
    seen.length = 0;
    const refusal = new Error("not this one");
    await expect(
      inTransaction(
        declined,
        failing(deadlock, () => refusal),
        { retryOn },
      ),
    ).rejects.toBe(refusal);
    expect(declined.runs).toBe(2);
    expect(seen).toEqual([refusal]);
  });

  it("bounds every kind of retry by the one budget: no loop around a loop", async () => {
    const retryOn = (error: unknown) => error instanceof ConflictError;
    const ds = dataSource();
    await expect(
      inTransaction(ds, failing(deadlock, pairTaken, deadlock, pairTaken), { retryOn }),
    ).rejects.toMatchObject({ code: "40P01" });
    expect(ds.runs).toBe(3);
    const conflicts = dataSource();
    await expect(
      inTransaction(conflicts, failing(pairTaken, pairTaken, pairTaken), { attempts: 2, retryOn }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(conflicts.runs).toBe(2);
  });
});
