import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { mintToken } from "../../src/auth";
import { type Service, startService } from "../../src/bootstrap";
import { createTestDatabase } from "../utils/service";

/** Debian's Chromium (apt-get install -y chromium); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ROOT = path.resolve(__dirname, "../..");
export const ADMIN_DIST = path.join(ROOT, "admin", "dist");
export const SCREENSHOTS = path.join(ROOT, "artifacts", "screenshots");
export const DOCS_SCREENSHOT = path.join(ROOT, "docs", "admin-console.png");

/**
 * docs/admin-console.png is committed: the run writes it when it is missing or when
 * UPDATE_DOCS_SCREENSHOT=1, so an ordinary test run leaves the work tree clean.
 */
export function shouldWriteDocsScreenshot(): boolean {
  return process.env.UPDATE_DOCS_SCREENSHOT === "1" || !fs.existsSync(DOCS_SCREENSHOT);
}

/** The phone the console must work on: CSS pixels across. */
export const PHONE_WIDTH = 390;

/** Flags for a closed network: nothing in the background reaches out (machine notes). */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Fails early, saying what to do, when the console was not built or Chromium is missing. */
export function assertPrerequisites(): void {
  if (!fs.existsSync(path.join(ADMIN_DIST, "index.html"))) {
    throw new Error("admin/dist is missing: run `npm run build:admin` before the e2e tests");
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
}

/**
 * The real service on a fresh database, in local mode: no JWT_SECRET, so it generates one under a
 * temporary data folder and offers the start-up admin token at /admin/dev-token.
 */
export class E2eService {
  private constructor(
    readonly service: Service,
    private readonly dataDir: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(): Promise<E2eService> {
    const database = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "groups-admin-e2e-"));
    try {
      const service = await startService({
        databaseUrl: database.url,
        dataDir,
        jwtSecret: undefined,
        jwksUrl: undefined,
        nodeEnv: "test",
        port: 0,
        host: "127.0.0.1",
        logLevel: "silent",
        rateLimitPerMinute: 0,
        // Live updates within a fraction of a second.
        eventsPollIntervalMs: 100,
      });
      return new E2eService(service, dataDir, database.drop);
    } catch (error) {
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** http://127.0.0.1:<port> */
  get origin(): string {
    return new URL(this.service.url).origin;
  }

  get consoleUrl(): string {
    return `${this.origin}/admin/`;
  }

  /** A token for a new user with this name; the user is provisioned by one request. */
  async user(name: string, email: string): Promise<{ id: string; token: string; name: string }> {
    const id = crypto.randomUUID();
    const token = await mintToken(this.service.secret!, { sub: id, name, email });
    await this.gql(token, "query Provision { me { id } }");
    return { id, token, name };
  }

  async devToken(): Promise<string> {
    const res = await fetch(`${this.origin}/admin/dev-token`);
    if (!res.ok) throw new Error(`/admin/dev-token answered ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  async gql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(this.service.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  }

  async stop(): Promise<void> {
    try {
      await this.service.stop();
    } finally {
      await this.dropDatabase();
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

/** Headless Chromium; every context it opens may reach only `allowedOrigin` (a closed network). */
export class E2eBrowser {
  /** Requests that tried to leave the service's origin (each was aborted). */
  readonly offsite: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    readonly browser: Browser,
    private readonly allowedOrigin: string,
  ) {}

  static async launch(allowedOrigin: string): Promise<E2eBrowser> {
    // Playwright gives the browser a fresh, temporary --user-data-dir of its own.
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
    });
    return new E2eBrowser(browser, allowedOrigin);
  }

  /** A new session (own storage, so its own sign-in): a desktop, 1440×1000. */
  async session(): Promise<Page> {
    return this.open({ viewport: { width: 1440, height: 1000 } });
  }

  /** A new session as a phone: 390×844, touch, the page's meta viewport honoured. */
  async phoneSession(): Promise<Page> {
    return this.open({ viewport: { width: PHONE_WIDTH, height: 844 }, isMobile: true, hasTouch: true });
  }

  private async open(options: Parameters<Browser["newContext"]>[0]): Promise<Page> {
    const context = await this.browser.newContext(options);
    this.contexts.push(context);
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(this.allowedOrigin) || url.startsWith("data:") || url.startsWith("blob:")) {
        return route.continue();
      }
      this.offsite.push(url);
      return route.abort();
    });
    return context.newPage();
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close();
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** axe-core, injected from the npm package (no CDN), on the page as it is; its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    // Runs in the page; the root tsconfig has no DOM types, hence globalThis.
    const page = globalThis as unknown as {
      document: unknown;
      axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
    };
    const result = await page.axe.run(page.document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** Serious and critical violations only: what must not be there. */
export function seriousOrWorse(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/**
 * What sticks out sideways on the page as it is: the document's scroll width beyond `width`,
 * and any visible element reaching past the right edge, except inside a box that scrolls on its own
 * (the wide tables); of nested offenders, the outermost one that sticks out of a parent that fits.
 * Empty when nothing is cut off.
 */
export async function overflowing(page: Page, width = PHONE_WIDTH): Promise<string[]> {
  return page.evaluate((width) => {
    // Runs in the page; the root tsconfig has no DOM types.
    interface El {
      tagName: string;
      id: string;
      className: unknown;
      textContent: string | null;
      parentElement: El | null;
      getBoundingClientRect(): { left: number; right: number; width: number; height: number };
    }
    const g = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): Iterable<El> };
      getComputedStyle(e: El): { overflowX: string; visibility: string; display: string };
    };
    const found: string[] = [];
    if (g.document.documentElement.scrollWidth > width) {
      found.push(`document.scrollWidth ${g.document.documentElement.scrollWidth} > ${width}`);
    }
    const scrollsItself = (e: El) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const x = g.getComputedStyle(p).overflowX;
        if (x === "auto" || x === "scroll" || x === "hidden") return true;
      }
      return false;
    };
    for (const e of g.document.querySelectorAll("body *")) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || (r.right <= width + 1 && r.left >= -1)) continue;
      if (g.getComputedStyle(e).visibility === "hidden" || scrollsItself(e)) continue;
      // The culprit, not every box it widened: its parent still fits.
      const parent = e.parentElement?.getBoundingClientRect();
      if (parent && parent.right > width + 1) continue;
      found.push(
        `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""} "${(e.textContent ?? "").trim().slice(0, 40)}" ${Math.round(r.left)}..${Math.round(r.right)}`,
      );
    }
    return found;
  }, width);
}
