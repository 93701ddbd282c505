/**
 * The provider's "actors and deployments on your nodes" in Chromium against real parts
 * (PostgreSQL, Redis, a head, the provider's worker, an api): the card starts empty; a client's
 * task makes the api deploy the model, and without a reload the provider sees that deployment
 * with its replica alive on its node and the replica's actor ALIVE there. Another provider, who
 * owns no node it runs on, is told of none of it.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Browser, Page } from "playwright-core";
import type { Child } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { issueApiKey } from "../identity/api-keys.js";
import { hashPassword } from "../identity/passwords.js";
import { launchChromium } from "../testing/chromium.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import {
  endOfTest,
  horizontalOverflow,
  seriousAxeViolations,
  signIn,
  watchPage,
} from "../testing/page-checks.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));
const NODE = "work-node";
const PRICE = 1_000_000n; // mlp-classifier's price per call
const PASSWORD = "correct horse battery";
const PHONE = { width: 375, height: 812 };
/** Bounds on what the page shows; the waits end as soon as it does. */
const VIEW_TIMEOUT_MS = 30_000;
const SUBMIT =
  'mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id } }';
const WORKLOADS =
  "{ providerWorkloads { nodeIds actors { name nodeId } deployments { name aliveOnYourNodes } } }";

interface Workloads {
  providerWorkloads: {
    nodeIds: string[];
    actors: { name: string; nodeId: string }[];
    deployments: { name: string; aliveOnYourNodes: number }[];
  };
}

describe("dashboard: a provider's actors and deployments in Chromium", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let origin: string;
  let browser: Browser;
  let page: Page;
  let otherProviderKey: string;
  let watched: ReturnType<typeof watchPage>;
  const children: Child[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, [NODE], 10n * PRICE);
    const em = orm.em.fork();
    await em.nativeUpdate(Account, { id: fx.providerId }, { passwordHash: await hashPassword(PASSWORD) });
    const other = em.create(Account, { name: "provider-b", role: Role.PROVIDER });
    otherProviderKey = issueApiKey(em, other).key;
    await em.persist(other).flush();
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, NODE));
    const api = await startApi(apiEnv(db.url, uniquePrefix("dash-workloads"), head.address));
    children.push(api.child);
    url = api.url;
    origin = new URL(url).origin;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(VIEW_TIMEOUT_MS);
    watched = watchPage(page, origin);
  });

  afterEach(async (c) => {
    await endOfTest(page, SCREENSHOTS, c.name, watched);
  });

  after(async () => {
    await browser?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  test("a client's task deploys the model on the provider's node, and the provider sees it live", async () => {
    await signIn(page, origin, "provider-a", PASSWORD);
    await page.getByText("No deployment runs on your nodes yet.").waitFor();

    const features = [Array.from({ length: 16 }, () => 0.5)];
    const submitted = await graphqlRequest<{ submitTask: { id: string } }>(url, fx.clientKey, SUBMIT, {
      f: features,
    });
    assert.equal(submitted.errors, undefined, JSON.stringify(submitted.errors));

    const deployments = page.getByRole("list", { name: "Deployments on your nodes" }).getByRole("listitem");
    const deployment = deployments.filter({ hasText: "mlp-classifier" });
    await deployment.filter({ hasText: "1 of your replicas alive" }).waitFor();
    assert.match((await deployment.textContent()) ?? "", new RegExp(`on ${NODE}`));
    const actor = page.getByTestId("workload-actor").filter({ hasText: NODE });
    await actor.filter({ hasText: "ALIVE" }).first().waitFor();

    // What the card shows is what the API says, and only to the node's owner.
    const mine = await graphqlRequest<Workloads>(url, fx.providerKey, WORKLOADS);
    assert.deepEqual(mine.data?.providerWorkloads.nodeIds, [NODE]);
    assert.ok((mine.data?.providerWorkloads.actors ?? []).every((a) => a.nodeId === NODE));
    assert.equal(
      await page.getByTestId("workload-actor").count(),
      mine.data?.providerWorkloads.actors.length,
    );
    const theirs = await graphqlRequest<Workloads>(url, otherProviderKey, WORKLOADS);
    assert.deepEqual(theirs.data?.providerWorkloads, { nodeIds: [], actors: [], deployments: [] });

    await page.getByTestId("workload-actor").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENSHOTS}provider-workloads.png`, fullPage: true });
    assert.deepEqual(await seriousAxeViolations(page), []);
    await page.setViewportSize(PHONE);
    assert.equal(await horizontalOverflow(page), 0, "no horizontal scroll on a phone");
    await page.screenshot({ path: `${SCREENSHOTS}provider-workloads-phone.png`, fullPage: true });
    assert.deepEqual(watched.errors, [], "no page errors and no CSP refusals");
    assert.deepEqual(watched.foreignRequests, [], "the page talks only to its own origin");
  });
});
