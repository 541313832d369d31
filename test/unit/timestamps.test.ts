import { parseTimestamptz } from "../../ormconfig";

// pg's own timestamp parser (a dependency of pg-types, without type declarations).
const parseDate = require("postgres-date") as (text: string) => Date | number;

// The fast timestamptz reader must agree with pg's own parser on every text PostgreSQL prints.
describe("parseTimestamptz", () => {
  const cases = [
    "2026-11-23 15:16:18.123456+00",
    "2026-11-23 15:16:18+00",
    "2026-11-23 15:16:18.1+00",
    "2026-11-23 15:16:18.12+00",
    "2026-01-01 00:00:00.999+00",
    "1999-12-31 23:59:59.5+00",
    "2024-02-29 12:00:00.000001+00",
    "1000-01-01 00:00:00+00",
    "0999-12-31 23:59:59+00",
    "0044-03-15 12:00:00+00",
    "0044-03-15 12:00:00+00 BC",
    "2026-11-23 15:16:18.123456+05:30",
    "2026-11-23 15:16:18-08",
    "12026-11-23 15:16:18+00",
    "infinity",
    "-infinity",
  ];
  it.each(cases)("%s", (text) => {
    const fast = parseTimestamptz(text);
    const full = parseDate(text) as Date | number;
    expect(fast instanceof Date ? fast.getTime() : fast).toEqual(full instanceof Date ? full.getTime() : full);
  });

  it("reads the common form without the full parser and keeps milliseconds", () => {
    expect(parseTimestamptz("2026-11-23 15:16:18.987654+00").toISOString()).toBe("2026-11-23T15:16:18.987Z");
  });
});
