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
