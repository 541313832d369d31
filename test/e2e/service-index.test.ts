import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { ADMIN_DIST, serviceIndex } from "../../src/admin";
import { TestService } from "../utils/service";

/**
 * `GET /` on the service: a browser is sent on to the console, anything else is told where things
 * are. The handler alone, on a throwaway app, then as src/server.ts mounts it on the real service.
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

describe("GET / on the running service", () => {
  let svc: TestService;
  let root: string;

  beforeAll(async () => {
    svc = await TestService.start();
    root = svc.url.replace(/\/graphql$/, "/");
  });
  afterAll(() => svc.stop());

  test("answers curl with the endpoints and a browser with the console (or the endpoints when it is not built)", async () => {
    const curl = await fetch(root, { headers: { accept: "*/*" }, redirect: "manual" });
    expect(curl.status).toBe(200);
    expect(await curl.json()).toMatchObject({ graphql: "/graphql", admin: "/admin/" });

    const browser = await fetch(root, { headers: { accept: BROWSER_ACCEPT }, redirect: "manual" });
    if (fs.existsSync(path.join(ADMIN_DIST, "index.html"))) {
      expect(browser.status).toBe(302);
      expect(browser.headers.get("location")).toBe("/admin/");
    } else {
      expect(browser.status).toBe(200);
    }
  });

  test("leaves the rest as it was: POST / is 404, POST /graphql (the direct path) answers", async () => {
    const post = await fetch(root, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ error: "not found", graphql: "/graphql" });

    const user = await svc.user();
    const res = await fetch(svc.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: "{ me { id } }" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { me: { id: user.id } } });
  });
});
