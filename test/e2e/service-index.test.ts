import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { serviceIndex } from "../../src/admin";

/**
 * `GET /` on the service: a browser is sent on to the console, anything else is told where things
 * are. The handler alone, on a throwaway app (src/server.ts mounts it at "/").
 */

async function serve(distDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.get("/", serviceIndex({ distDir }));
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("GET /", () => {
  let built: string;
  let missing: string;

  beforeAll(() => {
    built = fs.mkdtempSync(path.join(os.tmpdir(), "groups-admin-dist-"));
    fs.writeFileSync(path.join(built, "index.html"), "<!doctype html><title>console</title>");
    missing = path.join(built, "not-built");
  });

  afterAll(() => fs.rmSync(built, { recursive: true, force: true }));

  test("a browser is redirected to the console", async () => {
    const server = await serve(built);
    try {
      const res = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT }, redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/admin/");
      expect(res.headers.get("vary")).toMatch(/accept/i);
    } finally {
      await server.close();
    }
  });

  test("curl and probes get the endpoints in JSON, no redirect", async () => {
    const server = await serve(built);
    try {
      for (const accept of ["*/*", "application/json"]) {
        const res = await fetch(server.url, { headers: { accept }, redirect: "manual" });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({
          service: "groups",
          graphql: "/graphql",
          admin: "/admin/",
          health: "/health",
          ready: "/ready",
        });
      }
    } finally {
      await server.close();
    }
  });

  test("without a built console a browser gets the endpoints too, not a dead link", async () => {
    const server = await serve(missing);
    try {
      const res = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT }, redirect: "manual" });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { graphql: string }).graphql).toBe("/graphql");
    } finally {
      await server.close();
    }
  });
});
