import type { DataSource } from "typeorm";
import { type IdentityClaims, provisionViewer, refuseErasedUsers } from "../../src/users";

/*
 * provisionViewer's memo, without a database: a stand-in DataSource answers the provisioning
 * statement and counts it. The memo is keyed by what was provisioned (the global-admin flag and the
 * verified address, lower-cased): a token that changes either costs one provisioning statement,
 * any other token none.
 */

const SUB = "00000000-0000-4000-8000-0000000000a1";

function replica(answer: { erased?: boolean; claimable?: boolean } = {}) {
  const db = {
    driver: {},
    statements: 0,
    query: async () => {
      db.statements++;
      return [{ erased: answer.erased ?? false, claimable: answer.claimable ?? false }];
    },
  };
  const claim = jest.fn(async () => 0);
  const ctx = { db: db as unknown as DataSource };
  /** Statements the provisioning of `claims` cost. */
  const provision = async (claims: Partial<IdentityClaims>): Promise<number> => {
    const before = db.statements;
    await provisionViewer(ctx, { sub: SUB, isGlobalAdmin: false, ...claims }, claim);
    return db.statements - before;
  };
  return { db, claim, ctx, provision };
}

describe("provisionViewer's memo", () => {
  it("provisions again only when the admin flag or the verified address (any case) changes", async () => {
    const { provision } = replica();
    const email = "ada@example.org";
    expect(await provision({ email })).toBe(1);
    expect(await provision({ email })).toBe(0);
    // The same address in another case, or its email_verified claim absent then given: the same key.
    expect(await provision({ email: "ADA@example.org" })).toBe(0);
    expect(await provision({ email: "ADA@example.org", name: "Ada" })).toBe(0);
    expect(await provision({ email })).toBe(0);
    // Unverified: no verified address any more, a new key; absent or malformed, the same one.
    expect(await provision({ email, emailVerified: false })).toBe(1);
    expect(await provision({})).toBe(0);
    expect(await provision({ email: "not an address" })).toBe(0);
    expect(await provision({ email: `${"a".repeat(320)}@example.org` })).toBe(0);
    expect(await provision({ email: "not an address" })).toBe(0);
    // The admin flag, then a new verified address.
    expect(await provision({ isGlobalAdmin: true })).toBe(1);
    expect(await provision({ isGlobalAdmin: true })).toBe(0);
    expect(await provision({})).toBe(1);
    expect(await provision({ email: "grace@example.org" })).toBe(1);
    expect(await provision({ email: "Grace@Example.org" })).toBe(0);
  });

  it("claims when the provisioning says a provisional user holds the verified address, once per key", async () => {
    const { provision, claim, ctx } = replica({ claimable: true });
    expect(await provision({ email: "Lin@example.org" })).toBe(1);
    expect(claim).toHaveBeenCalledWith(ctx.db, SUB, "Lin@example.org");
    expect(await provision({ email: "lin@example.org" })).toBe(0);
    expect(claim).toHaveBeenCalledTimes(1);
  });

  it("forgets an erased user, who is refused from then on", async () => {
    const { provision, db } = replica();
    expect(await provision({ email: "eve@example.org" })).toBe(1);
    refuseErasedUsers(db, [SUB]);
    await expect(provision({ email: "eve@example.org" })).rejects.toMatchObject({
      extensions: { code: "UNAUTHENTICATED" },
    });
  });

  it("a repeat sign-in with the same claims checks no address and builds no key", async () => {
    const { provision } = replica();
    const claims = { email: "Kay@example.org", name: "Kay" };
    expect(await provision(claims)).toBe(1);
    const test = jest.spyOn(RegExp.prototype, "test");
    const lower = jest.spyOn(String.prototype, "toLowerCase");
    try {
      expect(await provision({ ...claims })).toBe(0);
      expect(test).not.toHaveBeenCalled();
      expect(lower).not.toHaveBeenCalled();
    } finally {
      test.mockRestore();
      lower.mockRestore();
    }
  });
});
