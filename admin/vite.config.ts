import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Two pages under /admin/: the console (index.html) and the GraphQL explorer (explorer/index.html),
 * which carries GraphiQL and its Monaco editor in a bundle of its own. Everything is bundled: the
 * console runs on a closed network. `npm run dev -w admin` proxies the API to a service on :4000.
 */
export default defineConfig({
  base: "/admin/",
  root: here("."),
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      input: { console: here("index.html"), explorer: here("explorer/index.html") },
      // GraphiQL's dependencies carry "use client" directives, meaningless in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  worker: { format: "es" },
  server: {
    proxy: {
      "/graphql": { target: "http://localhost:4000", ws: true },
      "/admin/dev-token": { target: "http://localhost:4000" },
    },
  },
});
