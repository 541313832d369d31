import { Logger, requestScope, tagWithRequest } from "../../src/shared/logger";

/** The JSON lines a logger writes while `fn` runs. */
async function linesOf(fn: () => unknown): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
    return true;
  });
  try {
    await fn();
  } finally {
    write.mockRestore();
  }
  return lines;
}

// One module registry per test file: nothing has turned tracking on before these run, in order.
describe("requestScope", () => {
  it("is not entered while nothing reads it: run only calls its function", async () => {
    expect(requestScope.tracking).toBe(false);
    const seen = await requestScope.run({ requestId: "r-1", sqlStatements: 0 }, async () => {
      await Promise.resolve();
      return requestScope.getStore();
    });
    expect(seen).toBeUndefined();
  });

  it("still names the request on the line that logs one of its errors", async () => {
    const logger = new Logger("error");
    const error = new Error("boom");
    tagWithRequest(error, "r-2");
    const lines = await linesOf(() => {
      logger.error("unexpected error", { correlationId: "c", error });
      logger.error("unrelated", { error: new Error("other") });
    });
    expect(lines.map((l) => l.requestId)).toEqual(["r-2", undefined]);
  });

  it("carries the scope through async hops once tracked (the SQL count, debug logging)", async () => {
    new Logger("debug"); // a debug logger asks for the scope
    expect(requestScope.tracking).toBe(true);
    const logger = new Logger("info");
    const lines = await linesOf(() =>
      requestScope.run({ requestId: "r-3", sqlStatements: 0 }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        requestScope.getStore()!.sqlStatements++;
        logger.info("inside");
        expect(requestScope.getStore()).toEqual({ requestId: "r-3", sqlStatements: 1 });
      }),
    );
    expect(lines[0]).toMatchObject({ msg: "inside", requestId: "r-3" });
  });
});
