/**
 * Result verification in the dashboard, in Chromium against real parts (PostgreSQL, Redis, a
 * head, three workers of three providers, an api that checks every task): one worker lies on
 * every answer (--fault-injection-rate 1). A client's task page shows its verification reach
 * VERIFIED or RESOLVED live; the lying provider sees its score below 0.5 and its faults, newest
 * first, each opening onto the three runs and the verdict, and a new fault appear without a
 * reload; an honest provider sees no fault.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Browser, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { hashPassword } from "../identity/passwords.js";
import { launchChromium } from "../testing/chromium.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi } from "../testing/local-cluster.js";
import { startLyingCluster } from "../testing/lying-cluster.js";
import {
  endOfTest,
  horizontalOverflow,
  seriousAxeViolations,
  signIn,
  watchPage,
} from "../testing/page-checks.js";
import { seedProviderNodes } from "../testing/provider-nodes.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const LIAR = "rep-liar";
const HONEST = ["rep-honest-1", "rep-honest-2"];
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
/** Tasks submitted at most for one more fault of the liar (it runs or checks 2 of 3 tasks). */
const MAX_TASKS = 30;
/** Room for one mlp-classifier replica (256 MB) per worker. */
/** Bounds on what the page shows (the card is read again every 10 s); the waits end as soon as it does. */
const VIEW_TIMEOUT_MS = 40_000;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status verification } }`;
const TASK = `query($id: ID!) { task(id: $id) { nodeId verification { status checkedBy referee verdict } } }`;
const REPUTATION = `{ me { reputation { score faults } }
  nodes(first: 10) { edges { node { id reputation { score } faults { taskId detail at evidence { taskNode checkedBy referee } } } } } }`;

interface Reputation {
  me: { reputation: { score: number; faults: number } };
  nodes: {
    edges: {
      node: {
        id: string;
        reputation: { score: number };
        faults: {
          taskId: string;
          detail: string;
          at: string;
          evidence: { taskNode: string; checkedBy: string; referee: string } | null;
        }[];
      };
    }[];
  };
}

describe("dashboard: reputation, faults and verification in Chromium", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let url: string;
  let origin: string;
  let browser: Browser;
  let page: Page | undefined;
  let clientKey: string;
  const providerKeys: string[] = [];
  let row = 0;
  const children: Child[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const seeded = await seedProviderNodes(orm, [LIAR, ...HONEST], {
      label: "rep",
      passwordHash: await hashPassword(PASSWORD),
    });
    clientKey = seeded.clientKey;
    for (const provider of seeded.providers.values()) providerKeys.push(provider.key);
    const cluster = await startLyingCluster(db.url, { liar: LIAR, honest: HONEST });
    children.push(...cluster.children);
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("dash-reputation"), cluster.headAddress, {
        NEUROGRID_VERIFICATION_SAMPLE_RATE: "1",
        // The liar keeps lying here (one fault more is watched live): no quarantine stops it.
        NEUROGRID_QUARANTINE_FLOOR: "0",
        // The liar must serve to be caught: onboarding would keep it out.
        NEUROGRID_ONBOARDING: "false",
        // The faults watched are spot checks': no canary may add one of its own at a random time.
        NEUROGRID_CANARY_RATE_PER_NODE_PER_MINUTE: "0",
      }),
    );
    children.push(api.child);
    url = api.url;
    origin = new URL(url).origin;
    browser = await launchChromium();
  });

  afterEach(async (t) => {
    await endOfTest(page, SCREENSHOTS, t.name);
  });

  after(async () => {
    await browser?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  async function openAs(name: string): Promise<{ page: Page; watched: ReturnType<typeof watchPage> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    const watched = watchPage(page, origin);
    await signIn(page, origin, name, PASSWORD);
    return { page, watched };
  }

  async function submit(): Promise<string> {
    const features = [Array.from({ length: 16 }, (_, i) => Math.cos(row * 16 + i))];
    row++;
    const res = await graphqlRequest<{ submitTask: { id: string } }>(url, clientKey, SUBMIT, {
      input: { model: "mlp-classifier", input: { features } },
    });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data?.submitTask.id ?? "";
  }

  /** Submits tasks one by one, each followed to its verification's end, until the liar has `count` faults. */
  async function untilLiarFaults(count: number): Promise<Reputation> {
    for (let i = 0; i < MAX_TASKS; i++) {
      const mine = await graphqlRequest<Reputation>(url, providerKeys[0] ?? "", REPUTATION);
      assert.equal(mine.errors, undefined, JSON.stringify(mine.errors));
      if ((mine.data?.me.reputation.faults ?? 0) >= count) return mine.data as Reputation;
      const id = await submit();
      const { errors } = await collectSubscription(url, { authorization: `Bearer ${clientKey}` }, PROGRESS, {
        id,
      });
      assert.deepEqual(errors, []);
    }
    assert.fail(`the liar had no ${count} faults after ${MAX_TASKS} tasks`);
  }

  test("a client's task page shows the verification reach VERIFIED or RESOLVED live", async (t) => {
    const { page, watched } = await openAs("rep-client");
    await page.getByTestId("balance-available").filter({ hasText: "NEURO" }).waitFor();
    // Every status the page shows, as it shows it.
    await page.evaluate(`(() => {
      window.__shown = [];
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="task-verification"]')?.textContent;
        if (text && window.__shown.at(-1) !== text) window.__shown.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    const id = await submit();
    await page.evaluate(`location.hash = "#/tasks/${id}"`);
    const shown = page.getByTestId("task-verification");
    await shown.filter({ hasText: /^(VERIFIED|RESOLVED)$/ }).waitFor();

    const res = await graphqlRequest<{
      task: { nodeId: string; verification: { status: string; checkedBy: string; verdict: string } };
    }>(url, clientKey, TASK, { id });
    const v = res.data?.task.verification;
    assert.equal((await shown.textContent())?.trim(), v?.status);
    assert.equal((await page.getByTestId("task-checked-by").textContent())?.trim(), v?.checkedBy);
    assert.notEqual(v?.checkedBy, res.data?.task.nodeId, "checked on another node");
    assert.equal(
      (await page.getByTestId("task-verdict").textContent())?.replace("Verdict:", "").trim(),
      v?.verdict,
    );
    // What the page showed came in verification's order, ending settled, without a reload.
    const seen = await page.evaluate<string[]>("window.__shown");
    const legal = v?.status === "VERIFIED" ? ["SAMPLED", "VERIFIED"] : ["SAMPLED", "DISPUTED", "RESOLVED"];
    assert.deepEqual(
      seen,
      legal.filter((s) => seen.includes(s)),
      `shown in order: ${seen}`,
    );
    assert.equal(seen.at(-1), v?.status);
    t.diagnostic(`verification statuses the page showed: ${seen.join(" -> ")}`);
    // Verification's moves are not more COMPLETED steps of the timeline.
    const completed = page
      .getByRole("list", { name: "Task timeline" })
      .getByText("COMPLETED", { exact: true });
    assert.equal(await completed.count(), 1);
    await page.screenshot({ path: `${SCREENSHOTS}client-task-verification.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
  });

  test("the lying provider sees its score below 0.5 and its faults with their evidence, live", async () => {
    const before = await untilLiarFaults(1);
    const { page, watched } = await openAs("rep-provider-0");
    const score = page.getByTestId("provider-score");
    await score.waitFor();
    assert.equal((await score.textContent())?.trim(), before.me.reputation.score.toFixed(3));
    assert.ok(Number((await score.textContent())?.trim()) < 0.5, "the liar's score fell below 0.5");
    const liarRow = page.getByTestId("node-score").filter({ hasText: LIAR });
    const liarNode = before.nodes.edges.find((e) => e.node.id === LIAR)?.node;
    assert.match(
      (await liarRow.textContent()) ?? "",
      new RegExp(liarNode?.reputation.score.toFixed(3) ?? "-"),
    );

    const faults = page.getByTestId("fault");
    await faults.first().waitFor();
    assert.equal(await faults.count(), liarNode?.faults.length);
    // A new fault appears without a reload.
    const shownBefore = await faults.count();
    const afterMore = await untilLiarFaults(before.me.reputation.faults + 1);
    await faults.nth(shownBefore).waitFor();
    const newest = afterMore.nodes.edges.find((e) => e.node.id === LIAR)?.node.faults[0];
    assert.ok(newest?.evidence, "a wrong result has its evidence");

    // Newest first; opened, the three runs (the liar's own marked) and the verdict.
    const first = faults.first();
    assert.match((await first.textContent()) ?? "", new RegExp(newest.taskId.slice(0, 8)));
    await first.locator("summary").click();
    const runs = first.getByTestId("evidence-run");
    assert.equal(await runs.count(), 3);
    const nodes = [newest.evidence.taskNode, newest.evidence.checkedBy, newest.evidence.referee];
    for (const [i, node] of nodes.entries()) {
      const text = (await runs.nth(i).textContent()) ?? "";
      assert.match(text, new RegExp(node));
      assert.match(text, /\{"\w+":\[\[-?\d/, "the run's result, compactly");
      assert.equal(text.includes("(this node)"), node === LIAR);
    }
    const verdict = (await first.getByTestId("fault-verdict").textContent()) ?? "";
    assert.equal(verdict.replace("Verdict:", "").trim(), newest.detail);
    assert.match(newest.detail, new RegExp(`^${LIAR} disagrees with `));

    const card = page.getByRole("region", { name: "Reputation and faults" });
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}provider-reputation.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await card.screenshot({ path: `${SCREENSHOTS}provider-reputation-phone.png` });
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });

  test("an honest provider sees its score and no fault", async () => {
    const { page, watched } = await openAs("rep-provider-1");
    const res = await graphqlRequest<Reputation>(url, providerKeys[1] ?? "", REPUTATION);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const mine = res.data?.me.reputation;
    const score = page.getByTestId("provider-score");
    await score.waitFor();
    assert.equal((await score.textContent())?.trim(), mine?.score.toFixed(3));
    assert.ok((mine?.score ?? 0) >= 0.5);
    assert.equal((await page.getByTestId("provider-faults").textContent())?.trim(), "0");
    await page.getByText("No faults: no result of your nodes was found wrong.").waitFor();
    assert.equal(await page.getByTestId("fault").count(), 0);
    assert.match((await page.getByTestId("node-score").textContent()) ?? "", new RegExp(HONEST[0] ?? "-"));
    assert.deepEqual(await seriousAxeViolations(page), []);
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
  });
});
