import fs from "node:fs";
import path from "node:path";
import express from "express";

export interface AdminOptions {
  /** Folder of the built console (admin/dist). */
  distDir?: string;
  /**
   * Mints the local global-admin token, offered to the console's one-click sign-in. Set only in
   * local mode (generated JWT secret, NODE_ENV not production); answered to loopback callers only.
   */
  devToken?: () => Promise<string>;
}

/** admin/dist of this checkout, from src/admin (ts-node, jest) or dist/src/admin (built). */
export const ADMIN_DIST = path.join(
  [path.resolve(__dirname, "../.."), path.resolve(__dirname, "../../..")].find((root) =>
    fs.existsSync(path.join(root, "admin", "package.json")),
  ) ?? path.resolve(__dirname, "../../.."),
  "admin",
  "dist",
);

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

/** The admin console at /admin: static files built by `npm run build`, and the local sign-in token. */
export function adminRouter(options: AdminOptions = {}): express.Router {
  const dist = options.distDir ?? ADMIN_DIST;
  const router = express.Router();
  router.get("/dev-token", async (req, res) => {
    if (!options.devToken || !isLoopback(req.socket.remoteAddress)) {
      res.status(404).json({ error: "no local sign-in token: paste a token instead" });
      return;
    }
    res.setHeader("cache-control", "no-store");
    res.json({ token: await options.devToken() });
  });
  router.use(express.static(dist, { index: "index.html", fallthrough: true }));
  // Client-side routes (/admin/groups/…) get the app's page.
  router.use((req, res, next) => {
    const index = path.join(dist, "index.html");
    if (req.method !== "GET" || !fs.existsSync(index)) return next();
    res.sendFile(index);
  });
  return router;
}

/**
 * `GET /`: where things are. A browser goes on to the console (when it is built); anything else
 * (curl, a probe) gets a short JSON answer naming the endpoints, without a redirect to follow.
 */
export function serviceIndex(options: Pick<AdminOptions, "distDir"> = {}): express.RequestHandler {
  const dist = options.distDir ?? ADMIN_DIST;
  const where = { graphql: "/graphql", admin: "/admin/", health: "/health", ready: "/ready" };
  return (req, res) => {
    res.setHeader("vary", "accept");
    if (req.accepts(["json", "html"]) === "html" && fs.existsSync(path.join(dist, "index.html"))) {
      res.redirect(302, "/admin/");
      return;
    }
    res.json({ service: "groups", ...where });
  };
}
