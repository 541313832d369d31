import type { Page } from "playwright-core";
import {
  assertPrerequisites,
  axeViolations,
  DOCS_SCREENSHOT,
  E2eBrowser,
  E2eService,
  overflowing,
  PHONE_WIDTH,
  screenshot,
  seriousOrWorse,
  shouldWriteDocsScreenshot,
} from "./harness";

/**
 * The admin console end to end: the real service (local mode, fresh database) serving admin/dist,
 * driven in headless Chromium with no network beyond the service. The steps build on each other,
 * in order: sign in, create a group (blank and refused fields under the field), find it, members
 * and leaders, initiatives, live events, a plain member's read-only view, the archive
 * confirmation, the permissions page (why, and where), a refused action, the phone layout, the explorer.
 * Screenshots go to artifacts/screenshots/, and the group page's to docs/admin-console.png.
 */

jest.setTimeout(120_000);

const TODAY = new Date().toISOString().slice(0, 10);
const UI_TIMEOUT = 15_000;

let service: E2eService;
let browser: E2eBrowser;
let admin: Page;
let adminToken: string;
let maria: { id: string; token: string; name: string };
let leo: { id: string; token: string; name: string };
let acmeId: string;
let groupId: string;
let quantumId: string;
let dataScienceId: string;
const axeReport: Record<string, { id: string; impact: string | null }[]> = {};

beforeAll(async () => {
  assertPrerequisites();
  service = await E2eService.start();
  browser = await E2eBrowser.launch(service.origin);

  // What the console will find: a small organization, two people, an initiative.
  adminToken = await service.devToken();
  maria = await service.user("Maria Member", "maria@example.org");
  leo = await service.user("Leo Leader", "leo@example.org");
  const create = (input: Record<string, unknown>) =>
    service
      .gql<{ createGroup: { id: string } }>(
        adminToken,
        "mutation Seed($input: CreateGroupInput!) { createGroup(input: $input) { id } }",
        {
          input,
        },
      )
      .then((d) => d.createGroup.id);
  acmeId = await create({ name: "Acme University", shortName: "ACME", visibility: "PUBLIC", campus: "North" });
  const engineering = await create({
    name: "School of Engineering",
    groupType: "department",
    campus: "North",
    knowledgeArea: "Engineering",
    visibility: "PUBLIC",
    parentIds: [acmeId],
  });
  // PRIVATE (the default): hidden from those who hold no role in it or above it.
  const physics = await create({
    name: "Physics Department",
    groupType: "department",
    campus: "South",
    parentIds: [acmeId],
  });
  quantumId = await create({ name: "Quantum Lab", groupType: "research", parentIds: [physics] });
  dataScienceId = await create({
    name: "Data Science Team",
    groupType: "team",
    knowledgeArea: "Statistics",
    parentIds: [engineering],
  });
  await service.gql(
    adminToken,
    "mutation Seed($input: CreateInitiativeInput!) { createInitiative(input: $input) { id } }",
    {
      input: { name: "Open Science 2026", startDate: "2026-01-01", endDate: "2026-12-31" },
    },
  );
  // Leo administers the whole university: his rights reach new groups below it by cascade.
  await service.gql(adminToken, "mutation Seed($input: AddMemberInput!) { addMember(input: $input) { id } }", {
    input: { groupId: acmeId, userId: leo.id, role: "admin" },
  });
  // Maria is a member of Quantum Lab only: its one parent, Physics Department, is hidden from her.
  await service.gql(adminToken, "mutation Seed($input: AddMemberInput!) { addMember(input: $input) { id } }", {
    input: { groupId: quantumId, userId: maria.id, role: "member" },
  });

  admin = await browser.session();
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.goto(service.consoleUrl);
  await page.getByLabel("Bearer token (JWT)").fill(token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function checkAxe(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  axeReport[name] = violations.map((v) => ({ id: v.id, impact: v.impact }));
  const bad = seriousOrWorse(violations);
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

function nav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

function membersRow(page: Page, name: string) {
  return page.locator(`tr[data-member="${name}"]`);
}

/** The operations a page sends from now on, as "mutation AdminUpdateGroup" (a refused form sends none). */
function recordOperations(page: Page): string[] {
  const names: string[] = [];
  page.on("request", (request) => {
    if (!request.url().endsWith("/graphql") || request.method() !== "POST") return;
    try {
      const { query } = JSON.parse(request.postData() ?? "{}") as { query?: string };
      const operation = /^\s*(query|mutation)\s+(\w+)/.exec(query ?? "");
      if (operation) names.push(`${operation[1]} ${operation[2]}`);
    } catch {
      // Not JSON: not one of the console's operations.
    }
  });
  return names;
}

/** Every alert's text on the page: none may say the code twice ("Invalid input: Invalid input: …"). */
async function alertTexts(page: Page): Promise<string[]> {
  return page.getByRole("alert").allTextContents();
}

test("signs in with one click using the local admin token", async () => {
  await admin.goto(service.consoleUrl);
  await expect(admin.getByRole("heading", { name: "Groups admin: sign in" }).isVisible()).resolves.toBe(true);
  await admin.getByRole("button", { name: "Sign in as local admin" }).click();
  await admin.getByTestId("whoami").filter({ hasText: "Local Admin (global admin)" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByRole("heading", { name: "Groups", exact: true }).waitFor();
  // The favicon is the console's own SVG, served with it (no fetch elsewhere).
  const icon = await admin.locator('link[rel="icon"]').getAttribute("href");
  expect(icon).toBe("/admin/favicon.svg");
  const res = await fetch(`${service.origin}${icon}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/image\/svg\+xml/);
});

test("creates a group: a blank name is refused under its field before sending, the API's message too", async () => {
  await admin.getByRole("link", { name: "New group" }).click();
  await admin.getByRole("heading", { name: "New group" }).waitFor({ timeout: UI_TIMEOUT });
  const sent = recordOperations(admin);
  const nameError = admin.locator('[data-field-error="Name"]');

  // Empty, then whitespace only: refused in the page, under the field, and nothing is sent.
  await admin.getByRole("button", { name: "Create group" }).click();
  await nameError.waitFor({ timeout: UI_TIMEOUT });
  expect(await nameError.textContent()).toMatch(/required/);
  expect(await admin.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBe("true");
  await admin.getByLabel("Name", { exact: true }).fill("   ");
  await admin.getByRole("button", { name: "Create group" }).click();
  await nameError.waitFor();
  const alerts = await alertTexts(admin);
  expect(alerts.join(" | ")).toMatch(/Not created: see the message under its field/);
  expect(alerts.join(" | ")).not.toMatch(/Variable|\$input|String!/);
  expect(sent.filter((name) => name === "mutation AdminCreateGroup")).toEqual([]);
  await screenshot(admin, "new-group-blank-name", { fullPage: false });

  await admin.getByLabel("Name", { exact: true }).fill("Robotics Lab");
  await admin.getByLabel("Short name").fill("RLAB");
  await admin.getByLabel("Type", { exact: true }).fill("research");
  await admin.getByLabel("Campus").fill("North");
  await admin.getByLabel("Knowledge area").fill("Robotics");
  await admin.getByLabel("URL").fill("ftp://robots.example.org");
  await admin.getByLabel("Visibility").selectOption("PUBLIC");
  await admin.getByLabel("Add a parent: search groups").fill("Engineering");
  await admin.getByRole("button", { name: "Add parent School of Engineering" }).click();
  await admin.getByRole("button", { name: "Create group" }).click();

  // The service refuses the URL; its message sits under the URL field, said once.
  const urlError = admin.locator('[data-field-error="URL"]');
  await urlError.waitFor({ timeout: UI_TIMEOUT });
  expect(sent).toContain("mutation AdminCreateGroup");
  expect(await urlError.textContent()).toMatch(/http/i);
  expect(await nameError.count()).toBe(0);
  const refused = (await alertTexts(admin)).join(" | ");
  expect(refused).toMatch(/Not created: see the message under its field/);
  expect(refused).not.toMatch(/Invalid input:.*Invalid input:/);

  await admin.getByLabel("URL").fill("https://robotics.example.org");
  await admin.getByRole("button", { name: "Create group" }).click();
  await admin.getByRole("heading", { name: "Robotics Lab", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  groupId = /\/admin\/groups\/([^/?#]+)$/.exec(admin.url())![1];
  expect(groupId).toBeTruthy();
  await admin.getByTestId("parents").getByRole("link", { name: "School of Engineering" }).waitFor();
  // The hierarchy: Acme University two levels up, navigable.
  await admin
    .getByRole("list", { name: "Ancestors, this group and descendants" })
    .getByRole("link", { name: "Acme University" })
    .waitFor();
});

test("finds the group by search and by filters", async () => {
  await nav(admin).getByRole("link", { name: "Groups", exact: true }).click();
  const summary = admin.getByTestId("groups-summary");
  const row = admin.locator(`tr[data-group-id="${groupId}"]`);
  await summary.filter({ hasText: "6 groups" }).waitFor({ timeout: UI_TIMEOUT });
  await screenshot(admin, "groups-list");
  await checkAxe(admin, "groups-list");

  await admin.getByLabel("Search name or short name").fill("rlab");
  await summary.filter({ hasText: /^1 group\b/ }).waitFor({ timeout: UI_TIMEOUT });
  await row.waitFor();
  await admin.getByLabel("Search name or short name").fill("robot");
  await admin.getByLabel("Type", { exact: true }).fill("research");
  await admin.getByLabel("Knowledge area").fill("Robotics");
  await summary.filter({ hasText: /^1 group\b/ }).waitFor({ timeout: UI_TIMEOUT });
  await row.waitFor();
  await admin.getByLabel("Campus").fill("South");
  await summary.filter({ hasText: /^0 groups/ }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByLabel("Campus").fill("North");
  await admin.getByLabel("Visibility").selectOption("PRIVATE");
  await summary.filter({ hasText: /^0 groups/ }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByLabel("Visibility").selectOption("PUBLIC");
  await summary.filter({ hasText: /^1 group\b/ }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByLabel("Active").selectOption("false");
  await summary.filter({ hasText: /^0 groups/ }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByLabel("Active").selectOption("true");
  await row.getByRole("link", { name: "Robotics Lab" }).click();
  await admin.getByRole("heading", { name: "Robotics Lab", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
});

test("adds a member and a leader", async () => {
  await admin.getByLabel("New member: find by name, email or id").fill("Maria");
  await admin
    .getByLabel("New member", { exact: true })
    .locator("option", { hasText: "Maria Member" })
    .waitFor({ state: "attached" });
  await admin.getByRole("button", { name: "Add member" }).click();
  await membersRow(admin, "Maria Member").waitFor({ timeout: UI_TIMEOUT });
  expect(await admin.getByLabel("Role of Maria Member").inputValue()).toBe("member");

  await admin.getByLabel("New leader: find by name, email or id").fill("Leo");
  await admin
    .getByLabel("New leader", { exact: true })
    .locator("option", { hasText: "Leo Leader" })
    .waitFor({ state: "attached" });
  await admin.getByLabel("Start date").fill("2025-01-01");
  await admin.getByRole("button", { name: "Add leader" }).click();
  await admin.getByTestId("current-leaders").filter({ hasText: "Leo Leader" }).waitFor({ timeout: UI_TIMEOUT });
});

test("ends the leadership and sees it in the history, and as of a past date", async () => {
  await admin.getByRole("button", { name: "End leadership of Leo Leader" }).click();
  const history = admin.getByTestId("leadership-history");
  await history
    .locator("tr", { hasText: "Leo Leader" })
    .filter({ hasText: TODAY })
    .filter({ hasText: "ended" })
    .waitFor({
      timeout: UI_TIMEOUT,
    });
  await admin.getByTestId("current-leaders").filter({ hasText: "none" }).waitFor({ timeout: UI_TIMEOUT });
  expect(await history.locator("tr", { hasText: "2025-01-01" }).count()).toBe(1);

  await admin.getByLabel("Leaders as of").fill("2025-06-01");
  await admin.getByRole("heading", { name: "Leaders on 2025-06-01" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByTestId("current-leaders").filter({ hasText: "Leo Leader" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByLabel("Leaders as of").fill("");
});

test("links an initiative", async () => {
  await admin.getByLabel("Find initiatives").fill("Open Science");
  await admin
    .getByLabel("Initiative", { exact: true })
    .locator("option", { hasText: "Open Science 2026" })
    .waitFor({ state: "attached" });
  await admin.getByRole("button", { name: "Link initiative" }).click();
  await admin
    .getByTestId("linked-initiatives")
    .filter({ hasText: "Open Science 2026" })
    .waitFor({ timeout: UI_TIMEOUT });
  await admin.locator('[data-event-type="INITIATIVE_LINKED"]').waitFor({ timeout: UI_TIMEOUT });
});

test("shows an event made in a second session live, without reloading", async () => {
  await admin.getByTestId("live-status").filter({ hasText: "live" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.evaluate(() => ((globalThis as { __notReloaded?: boolean }).__notReloaded = true));
  expect(await admin.locator('[data-event-type="GROUP_UPDATED"]').count()).toBe(0);

  const other = await browser.session();
  await signInWithToken(other, adminToken);
  await other.getByTestId("whoami").waitFor({ timeout: UI_TIMEOUT });
  await other.goto(`${service.consoleUrl}groups/${groupId}`);
  await other.getByLabel("Description").fill("Robots, sensors and control.");
  await other.getByRole("button", { name: "Save changes" }).click();
  await other.getByRole("status").filter({ hasText: "Saved" }).waitFor({ timeout: UI_TIMEOUT });

  // The audit trail reads GroupEvent.details: the value before and after, and the parent by name.
  await admin
    .locator('[data-event-type="GROUP_UPDATED"]', {
      hasText: "changed description (none → “Robots, sensors and control.”)",
    })
    .waitFor({ timeout: UI_TIMEOUT });
  await admin.locator('[data-event-type="GROUP_CREATED"]', { hasText: "under “School of Engineering”" }).waitFor();
  // The page refreshed its data from the event too, and was never reloaded.
  await admin.waitForFunction(
    `document.querySelector('textarea[name="description"]')?.value === "Robots, sensors and control."`,
    undefined,
    { timeout: UI_TIMEOUT },
  );
  expect(await admin.evaluate(() => (globalThis as { __notReloaded?: boolean }).__notReloaded)).toBe(true);

  await admin.locator('[data-event-type="MEMBER_ADDED"]', { hasText: "Maria Member added as member" }).waitFor();
  // Counts said in words, singular when one; one date format (YYYY-MM-DD HH:MM) on the page.
  const summaryText = await admin.getByTestId("group-summary").textContent();
  expect(summaryText).toMatch(
    /^2 members · 0 leaders · 1 initiative · created \d{4}-\d{2}-\d{2} \d{2}:\d{2} by Local Admin/,
  );
  expect(await admin.getByRole("heading", { name: /Members · 2 members$/ }).count()).toBe(1);
  expect(await membersRow(admin, "Maria Member").textContent()).toContain(TODAY);
  await screenshot(admin, "group-page");
  await admin.evaluate("window.scrollTo(0, 0)");
  // The README's picture: the top of the group page, as a reader first sees it.
  await screenshot(admin, "admin-console", { fullPage: false });
  if (shouldWriteDocsScreenshot()) await admin.screenshot({ path: DOCS_SCREENSHOT, fullPage: false });
  await checkAxe(admin, "group-page");
});

test("a plain member sees the group read only: no edit, member, leader, initiative or delete controls", async () => {
  const member = await browser.session();
  const sent = recordOperations(member);
  await signInWithToken(member, maria.token);
  await member.getByTestId("whoami").filter({ hasText: "Maria Member" }).waitFor({ timeout: UI_TIMEOUT });
  expect(await member.getByRole("button", { name: "Sign in as local admin" }).count()).toBe(0);
  await member.goto(`${service.consoleUrl}groups/${groupId}`);
  await member.getByRole("heading", { name: "Robotics Lab", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  await member.getByTestId("read-only").waitFor({ timeout: UI_TIMEOUT });
  // What she may see is there: the fields (read only), the members, the audit trail.
  await membersRow(member, "Maria Member").waitFor({ timeout: UI_TIMEOUT });
  await member.locator('[data-event-type="MEMBER_ADDED"]').first().waitFor({ timeout: UI_TIMEOUT });
  expect(await member.locator("dl.details").textContent()).toContain("https://robotics.example.org");
  // Nothing she may not use is offered.
  expect(await member.getByRole("form", { name: "Group fields" }).count()).toBe(0);
  expect(await member.getByRole("textbox", { name: "Name", exact: true }).count()).toBe(0);
  for (const name of [
    "Save changes",
    "Add member",
    "Invite member",
    "Remove Maria Member",
    "Add leader",
    "Link initiative",
    "Unlink Open Science 2026",
    "Delete group…",
  ]) {
    expect([name, await member.getByRole("button", { name, exact: true }).count()]).toEqual([name, 0]);
  }
  expect(await member.getByRole("combobox", { name: "Role of Maria Member" }).count()).toBe(0);
  expect(await member.getByRole("combobox", { name: "Status of Maria Member" }).count()).toBe(0);
  expect(await member.getByRole("checkbox").count()).toBe(0);
  expect(await membersRow(member, "Maria Member").textContent()).toContain("Member");
  // She asked what she may do here, and no mutation went out.
  expect(sent).toContain("query AdminMyAccess");
  expect(sent.filter((name) => name.startsWith("mutation"))).toEqual([]);
  await screenshot(member, "group-page-member");
  await checkAxe(member, "group-page-member");

  // Quantum Lab's only parent is PRIVATE and hers to see not: it is not called a root group.
  await member.goto(`${service.consoleUrl}groups/${quantumId}`);
  await member.getByRole("heading", { name: "Quantum Lab", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  const parents = member.getByTestId("parents");
  await parents.filter({ hasText: "none visible to you" }).waitFor({ timeout: UI_TIMEOUT });
  expect(await member.locator("body").textContent()).not.toMatch(/root group/);
});

test("a global admin is told a group without parents is a root group", async () => {
  await admin.goto(`${service.consoleUrl}groups/${acmeId}`);
  await admin.getByRole("heading", { name: "Acme University", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByTestId("parents").filter({ hasText: "none: a root group" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByRole("button", { name: "Delete group…" }).waitFor();
});

test("access requests: a user asks to join from the group page; the queue approves one and denies another", async () => {
  const circle = (
    await service.gql<{ createGroup: { id: string } }>(
      adminToken,
      "mutation Seed($input: CreateGroupInput!) { createGroup(input: $input) { id } }",
      { input: { name: "Reading Circle", visibility: "PUBLIC", joinPolicy: "REQUEST" } },
    )
  ).createGroup.id;
  const rita = await service.user("Rita Requester", "rita@example.org");
  const dan = await service.user("Dan Denied", "dan@example.org");

  // Rita sees the group (PUBLIC) and asks, with a message; she is offered no queue.
  const asker = await browser.session();
  await signInWithToken(asker, rita.token);
  await asker.getByTestId("whoami").filter({ hasText: "Rita Requester" }).waitFor({ timeout: UI_TIMEOUT });
  await asker.goto(`${service.consoleUrl}groups/${circle}`);
  await asker.getByRole("heading", { name: "Ask to join" }).waitFor({ timeout: UI_TIMEOUT });
  expect(await asker.getByRole("heading", { name: /Access requests/ }).count()).toBe(0);
  await asker.getByLabel("Message to the group's admins").fill("I read a lot");
  await asker.getByRole("button", { name: "Send request" }).click();
  await asker.getByRole("status").filter({ hasText: "Your request was sent" }).waitFor({ timeout: UI_TIMEOUT });
  await checkAxe(asker, "join-request");
  await service.gql(dan.token, "mutation Ask($g: ID!) { requestToJoin(groupId: $g) { id } }", { g: circle });

  // The queue: both pending, oldest first; Rita approved as a member, Dan denied with a reason.
  await admin.goto(`${service.consoleUrl}groups/${circle}`);
  await admin.getByRole("heading", { name: /Access requests/ }).waitFor({ timeout: UI_TIMEOUT });
  const row = (name: string) => admin.locator(`tr[data-request="${name}"]`);
  await row("Rita Requester").waitFor({ timeout: UI_TIMEOUT });
  expect(await row("Rita Requester").textContent()).toContain("I read a lot");
  await row("Dan Denied").waitFor({ timeout: UI_TIMEOUT });
  await checkAxe(admin, "access-requests");
  await screenshot(admin, "access-requests");
  await admin.getByLabel("Role for Rita Requester").selectOption("member");
  await admin.getByRole("button", { name: "Approve Rita Requester" }).click();
  await membersRow(admin, "Rita Requester").waitFor({ timeout: UI_TIMEOUT });
  await row("Rita Requester").waitFor({ state: "detached", timeout: UI_TIMEOUT });
  expect(await admin.getByLabel("Role of Rita Requester").inputValue()).toBe("member");
  await admin.getByLabel("Reason for denying Dan Denied").fill("Full this term");
  await admin.getByRole("button", { name: "Deny Dan Denied" }).click();
  await row("Dan Denied").waitFor({ state: "detached", timeout: UI_TIMEOUT });
  await admin.getByText("No pending requests").waitFor({ timeout: UI_TIMEOUT });
  const denied = await service.gql<{
    group: { accessRequests: { nodes: { reason: string; user: { name: string } }[] } };
  }>(
    adminToken,
    "query Q($g: ID!) { group(id: $g) { accessRequests(status: DENIED) { nodes { reason user { name } } } } }",
    { g: circle },
  );
  expect(denied.group.accessRequests.nodes).toEqual([{ reason: "Full this term", user: { name: "Dan Denied" } }]);
  await asker.close();
});

test("archiving asks first, saying members lose access; cancel keeps the group active", async () => {
  await admin.goto(`${service.consoleUrl}groups/${dataScienceId}`);
  await admin.getByRole("heading", { name: "Data Science Team", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  const sent = recordOperations(admin);
  // One member (its creator, the owner): said in the singular.
  // Waited for: the sections render after their queries answer.
  await admin
    .getByTestId("group-summary")
    .filter({ hasText: /^1 member · 0 leaders · 0 initiatives · / })
    .waitFor({ timeout: UI_TIMEOUT });
  await admin.getByRole("heading", { name: /Members · 1 member$/ }).waitFor({ timeout: UI_TIMEOUT });

  // A blank name on an existing group is refused in the page too.
  await admin.getByLabel("Name", { exact: true }).fill(" ");
  await admin.getByRole("button", { name: "Save changes" }).click();
  await admin.locator('[data-field-error="Name"]').filter({ hasText: "required" }).waitFor({ timeout: UI_TIMEOUT });
  expect(sent).not.toContain("mutation AdminUpdateGroup");
  await admin.getByLabel("Name", { exact: true }).fill("Data Science Team");

  await admin.getByRole("checkbox", { name: /Active/ }).uncheck();
  await admin.getByRole("button", { name: "Save changes and archive…" }).click();
  const dialog = admin.getByRole("dialog", { name: "Archive “Data Science Team”?" });
  await dialog.waitFor({ timeout: UI_TIMEOUT });
  expect(await dialog.textContent()).toMatch(/members lose access/i);
  await screenshot(admin, "archive-confirm", { fullPage: false });
  await checkAxe(admin, "archive-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  expect(sent).not.toContain("mutation AdminUpdateGroup");
  expect(await admin.locator(".page-head .badge").first().textContent()).toBe("team");

  await admin.getByRole("button", { name: "Save changes and archive…" }).click();
  await dialog.getByRole("button", { name: "Archive group" }).click();
  await admin.locator(".page-head .badge.archived").waitFor({ timeout: UI_TIMEOUT });
  expect(sent.filter((name) => name === "mutation AdminUpdateGroup")).toHaveLength(1);
  await admin.locator('[data-event-type="GROUP_UPDATED"]', { hasText: "changed isActive" }).waitFor({
    timeout: UI_TIMEOUT,
  });
  // Making it active again needs no confirmation.
  await admin.getByRole("checkbox", { name: /Active/ }).check();
  await admin.getByRole("button", { name: "Save changes", exact: true }).click();
  await admin.locator(".page-head .badge.archived").waitFor({ state: "detached", timeout: UI_TIMEOUT });
});

test("permissions page: registry, roles, health, why a user may act here and where", async () => {
  await nav(admin).getByRole("link", { name: "Permissions", exact: true }).click();
  await admin.getByTestId("registry-health").filter({ hasText: "healthy" }).waitFor({ timeout: UI_TIMEOUT });
  await admin.getByRole("cell", { name: "Owner grants groups.delete" }).waitFor();

  // Leo administers Acme University: groups.update reaches Robotics Lab through the cascade.
  const why = admin.getByRole("region", { name: "Why can this user do that here?" });
  await why.getByLabel("User: find by name, email or id").fill("Leo");
  await why
    .getByLabel("User", { exact: true })
    .locator("option", { hasText: "Leo Leader" })
    .waitFor({ state: "attached" });
  await why.getByLabel("User", { exact: true }).selectOption({ label: "Leo Leader <leo@example.org>" });
  await why.getByLabel("Group: search").fill("Robotics");
  await why
    .getByLabel("Group", { exact: true })
    .locator("option", { hasText: "Robotics Lab" })
    .waitFor({ state: "attached" });
  // The search settles after a short debounce; the explicit pick is what counts.
  await admin.waitForTimeout(400);
  await why.getByLabel("Group", { exact: true }).selectOption({ label: "Robotics Lab" });
  await why.getByLabel("Permission", { exact: true }).selectOption("groups.update");
  await why.getByRole("button", { name: "Check" }).click();
  const result = admin.getByTestId("why-result");
  await result.waitFor({ timeout: UI_TIMEOUT });
  const text = await result.textContent();
  expect(text).toContain("Allowed");
  expect(text).toContain("role admin held in Acme University (inherited)");
  expect(text).toContain("Acme University → School of Engineering → Robotics Lab");

  // Maria, a plain member, may not update it.
  await why.getByLabel("User: find by name, email or id").fill("Maria");
  await why
    .getByLabel("User", { exact: true })
    .locator("option", { hasText: "Maria Member" })
    .waitFor({ state: "attached" });
  await why.getByLabel("User", { exact: true }).selectOption({ label: "Maria Member <maria@example.org>" });
  await why.getByRole("button", { name: "Check" }).click();
  await result.filter({ hasText: "Denied" }).waitFor({ timeout: UI_TIMEOUT });

  // Where can Leo update groups? Every department of the university, through the same cascade.
  const reach = admin.getByRole("region", { name: "Where can this user do that?" });
  await reach.getByLabel("User: find by name, email or id").fill("Leo");
  await reach
    .getByLabel("User", { exact: true })
    .locator("option", { hasText: "Leo Leader" })
    .waitFor({ state: "attached" });
  await reach.getByLabel("User", { exact: true }).selectOption({ label: "Leo Leader <leo@example.org>" });
  await reach.getByLabel("Permission", { exact: true }).selectOption("groups.update");
  await reach.getByLabel("Group type (optional)").fill("department");
  await reach.getByRole("button", { name: "List groups" }).click();
  const listed = admin.getByTestId("reach-result");
  await listed.waitFor({ timeout: UI_TIMEOUT });
  expect(await listed.textContent()).toContain("Leo Leader holds groups.update in 2 groups you may see");
  expect(await listed.getByRole("link").allTextContents()).toEqual(["Physics Department", "School of Engineering"]);

  await screenshot(admin, "permissions");
  await checkAxe(admin, "permissions");
});

test("an action refused by the API (rights lost meanwhile) shows its message once", async () => {
  const leoPage = await browser.session();
  await signInWithToken(leoPage, leo.token);
  await leoPage.getByTestId("whoami").filter({ hasText: "Leo Leader" }).waitFor({ timeout: UI_TIMEOUT });
  await leoPage.goto(`${service.consoleUrl}groups/${groupId}`);
  // Admin in Acme University: he may edit Robotics Lab, by cascade, but not delete it.
  await leoPage.getByRole("button", { name: "Save changes" }).waitFor({ timeout: UI_TIMEOUT });
  expect(await leoPage.getByRole("button", { name: "Delete group…" }).count()).toBe(0);

  // Demoted in Acme University meanwhile (no event of Robotics Lab: his page does not know).
  await service.gql(
    adminToken,
    'mutation Demote($groupId: ID!, $userId: ID!) { updateMemberRole(groupId: $groupId, userId: $userId, role: "member") { id } }',
    { groupId: acmeId, userId: leo.id },
  );
  await leoPage.getByLabel("Description").fill("Taken over");
  await leoPage.getByRole("button", { name: "Save changes" }).click();
  const alert = leoPage.getByRole("form", { name: "Group fields" }).getByRole("alert");
  await alert.waitFor({ timeout: UI_TIMEOUT });
  const text = await alert.textContent();
  expect(text).toMatch(/^Not allowed: .*groups\.update/);
  expect(text).not.toMatch(/Not allowed:.*Not allowed:/);
});

test("works on a 390 px phone: nothing cut off, sign-out at hand, tables scroll in place", async () => {
  const phone = await browser.phoneSession();
  await signInWithToken(phone, adminToken);
  await phone.getByTestId("whoami").waitFor({ timeout: UI_TIMEOUT });
  const pages: [string, string, () => Promise<unknown>][] = [
    ["groups-list-390", "", () => phone.locator(`tr[data-group-id="${groupId}"]`).waitFor({ timeout: UI_TIMEOUT })],
    ["group-page-390", `groups/${groupId}`, () => membersRow(phone, "Maria Member").waitFor({ timeout: UI_TIMEOUT })],
    [
      "new-group-390",
      "groups/new",
      () => phone.getByRole("button", { name: "Create group" }).waitFor({ timeout: UI_TIMEOUT }),
    ],
    ["permissions-390", "permissions", () => phone.getByTestId("registry-health").waitFor({ timeout: UI_TIMEOUT })],
  ];
  for (const [name, path, ready] of pages) {
    await phone.goto(`${service.consoleUrl}${path}`);
    await ready();
    expect([name, await overflowing(phone)]).toEqual([name, []]);
    // Nothing made the phone zoom out to fit a wider page.
    expect(await phone.evaluate("window.innerWidth")).toBe(PHONE_WIDTH);
    const signOut = phone.getByRole("button", { name: "Sign out" });
    expect(await signOut.isVisible()).toBe(true);
    const box = (await signOut.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE_WIDTH);
    await screenshot(phone, name);
  }
  await checkAxe(phone, "group-page-390");

  // A plain member's page on the phone, and the blank-name refusal there.
  const memberPhone = await browser.phoneSession();
  await signInWithToken(memberPhone, maria.token);
  await memberPhone.getByTestId("whoami").waitFor({ timeout: UI_TIMEOUT });
  await memberPhone.goto(`${service.consoleUrl}groups/${groupId}`);
  await memberPhone.getByTestId("read-only").waitFor({ timeout: UI_TIMEOUT });
  await membersRow(memberPhone, "Maria Member").waitFor({ timeout: UI_TIMEOUT });
  expect(await overflowing(memberPhone)).toEqual([]);
  await screenshot(memberPhone, "group-page-member-390");

  await phone.goto(`${service.consoleUrl}groups/new`);
  await phone.getByRole("button", { name: "Create group" }).click();
  await phone.locator('[data-field-error="Name"]').waitFor({ timeout: UI_TIMEOUT });
  expect(await overflowing(phone)).toEqual([]);
  await screenshot(phone, "new-group-blank-name-390", { fullPage: false });
});

test("invites by email, one address and a pasted list (every refused address listed, nothing changed)", async () => {
  await admin.goto(`${service.consoleUrl}groups/${acmeId}`);
  await admin.getByRole("heading", { name: "Acme University", level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  const invite = admin.getByRole("form", { name: "Invite by email" });
  await invite.getByLabel("Email address").fill("Nina.Newcomer@Example.org");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await admin
    .getByRole("status")
    .filter({ hasText: "Invited Nina.Newcomer@Example.org" })
    .waitFor({ timeout: UI_TIMEOUT });
  // Nobody signed in with it yet: the member is the address, lower-cased, pending.
  const nina = membersRow(admin, "nina.newcomer@example.org");
  await nina.waitFor({ timeout: UI_TIMEOUT });
  expect(await admin.getByLabel("Status of nina.newcomer@example.org").inputValue()).toBe("PENDING");

  await invite.getByRole("button", { name: "Paste a list…" }).click();
  const dialog = admin.getByRole("dialog", { name: "Invite a list of addresses" });
  await dialog
    .getByLabel("Email addresses")
    .fill("ola@example.org, not-an-address\nnina.newcomer@example.org\npia@example.org");
  await dialog.getByRole("button", { name: "Invite 4 addresses" }).click();
  const refusals = dialog.getByTestId("bulk-refusals");
  await refusals.waitFor({ timeout: UI_TIMEOUT });
  expect(await refusals.locator("li").allTextContents()).toEqual([
    "not-an-address: email: must be an email address",
    "nina.newcomer@example.org: userId: this user is already a member of the group",
  ]);
  expect(await membersRow(admin, "ola@example.org").count()).toBe(0);
  await checkAxe(admin, "bulk-invite-dialog");

  await dialog.getByLabel("Email addresses").fill("ola@example.org\npia@example.org; quinn@example.org");
  await dialog.getByRole("button", { name: "Invite 3 addresses" }).click();
  await admin.getByRole("status").filter({ hasText: "Invited 3 addresses" }).waitFor({ timeout: UI_TIMEOUT });
  for (const address of ["ola@example.org", "pia@example.org", "quinn@example.org"]) {
    await membersRow(admin, address).waitFor({ timeout: UI_TIMEOUT });
  }
  expect(await dialog.isVisible()).toBe(false);
  await screenshot(admin, "invitations");
});

test("the bundled explorer runs a query with the console's token", async () => {
  await admin.goto(`${service.origin}/admin/explorer`);
  await admin.locator(".graphiql-container").waitFor({ timeout: 30_000 });
  // Monaco loads the default operation asynchronously; run it once it is there.
  await admin.locator(".graphiql-query-editor .view-lines", { hasText: "isGlobalAdmin" }).waitFor({ timeout: 30_000 });
  const response = admin.locator(".graphiql-response").filter({ hasText: "Local Admin" });
  for (let attempt = 0; attempt < 3 && !(await response.isVisible()); attempt++) {
    await admin.locator(".graphiql-execute-button").click();
    await response.waitFor({ timeout: 10_000 }).catch(() => undefined);
  }
  await response.waitFor({ timeout: 1_000 });
  await screenshot(admin, "explorer", { fullPage: false });
});

test("nothing left the closed network", () => {
  expect(browser.offsite).toEqual([]);
  // eslint-disable-next-line no-console
  console.log(`axe violations by page (none serious or critical):\n${JSON.stringify(axeReport, null, 1)}`);
});
