import { pagesByKey } from "../../src/db";

// pagesByKey (src/db/paging.ts) turns the rows of a keysetPages statement (each with its key's
// total; a key without rows on its page answers one row whose `id` is null) into DataLoader's
// answer: one page per asked key, in the keys' order.

type Row = { key: string; totalCount: number; id: string | null; name?: string };

describe("pagesByKey", () => {
  const rows: Row[] = [
    { key: "a", totalCount: 3, id: "1", name: "Ada" },
    { key: "a", totalCount: 3, id: "2", name: "Bea" },
    { key: "b", totalCount: 0, id: null },
    { key: "c", totalCount: 5, id: null },
  ];

  it("answers in the keys' order, each page with its rows in the statement's order and its total", () => {
    const pages = pagesByKey(["c", "a", "b"], rows, (row) => row.key);
    expect(pages).toEqual([
      { rows: [], totalCount: 5 },
      { rows: [rows[0], rows[1]], totalCount: 3 },
      { rows: [], totalCount: 0 },
    ]);
  });

  it("passes the rows on as they came unless told how to make page rows of them", () => {
    const [page] = pagesByKey(["a"], rows, (row) => row.key);
    expect(page!.rows[0]).toBe(rows[0]);
    const [named] = pagesByKey(
      ["a"],
      rows,
      (row) => row.key,
      (row) => row.name,
    );
    expect(named).toEqual({ rows: ["Ada", "Bea"], totalCount: 3 });
  });

  it("gives a key the statement did not answer (a malformed id left out) an empty page of its own", () => {
    const pages = pagesByKey(["not-a-uuid", "d"], rows, (row) => row.key);
    expect(pages).toEqual([
      { rows: [], totalCount: 0 },
      { rows: [], totalCount: 0 },
    ]);
    expect(pages[0]).not.toBe(pages[1]);
  });

  it("finds composite keys by the string they are compared as", () => {
    const pairs = [
      { g: "g1", u: "u1" },
      { g: "g1", u: "u2" },
    ];
    const pairRows = [
      { g: "g1", u: "u1", totalCount: 1, id: "7" },
      { g: "g1", u: "u2", totalCount: 0, id: null },
    ];
    const pages = pagesByKey(
      pairs.map((p) => `${p.g}/${p.u}`),
      pairRows,
      (row) => `${row.g}/${row.u}`,
      ({ g: _g, u: _u, totalCount: _t, ...period }) => period,
    );
    expect(pages).toEqual([
      { rows: [{ id: "7" }], totalCount: 1 },
      { rows: [], totalCount: 0 },
    ]);
  });
});
