import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

/** What a browser test checks on every main view: accessibility, a phone's width, and the page's own errors. */
const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script>
  // tag would be refused, as it should be).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run();
    return result.violations as { id: string; impact: string | null; help: string; nodes: unknown[] }[];
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

/** How far the page's content overflows the viewport sideways, in CSS pixels (0 = no horizontal scroll). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
}

/** Collects the page's errors (uncaught exceptions, console errors such as CSP refusals) and foreign requests. */
export function watchPage(page: Page, origin: string): { errors: string[]; foreignRequests: string[] } {
  const watched = { errors: [] as string[], foreignRequests: [] as string[] };
  page.on("pageerror", (err) => watched.errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") watched.errors.push(`console: ${msg.text()}`);
  });
  page.on("request", (req) => {
    const url = req.url();
    if (
      !url.startsWith(origin) &&
      !url.startsWith(origin.replace(/^http/, "ws")) &&
      !url.startsWith("data:")
    ) {
      watched.foreignRequests.push(url);
    }
  });
  return watched;
}

/** Signs in through the dashboard's own form, as a person would. */
export async function signIn(page: Page, origin: string, name: string, password: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByLabel("Name or email").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * A browser test's afterEach: the page as the test left it, saved as end-of-<test name>.png in
 * `dir`, and the page's errors, if any, on stderr.
 */
export async function endOfTest(
  page: Page | undefined,
  dir: string,
  testName: string,
  watched?: { errors: string[] },
): Promise<void> {
  if (!page) return;
  const name = testName.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  await page.screenshot({ path: `${dir}end-of-${name}.png`, fullPage: true }).catch(() => {});
  if (watched && watched.errors.length > 0) console.error(`page errors: ${JSON.stringify(watched.errors)}`);
}
