// Skew protection seen from headless Chromium (issue 17, acceptance 3):
// a page loaded from v1 keeps talking to v1 after v2 goes live (a client
// navigation and a Server Action both reach v1, through Next's own
// `x-deployment-id` header, which the router pins, and an untagged fetch
// through the `__anchor_dpl` cookie), a fresh load gets v2,
// and once v1's window has passed the old page's requests reach v2.
//
// The builds carry Next's deploymentId (examples/build-nextjs.sh sets
// NEXT_DEPLOYMENT_ID); the project's window is made short with
// setSkewPolicy so the test can outlive it.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { STEP_MS, required, build, loadAnchor, Serve, launchChromium, stopAll } from './support.mjs';

const PROJECT = 'skew';
/** v1's window once v2 is live, in seconds: long enough for the steps
 * before it, short enough to wait out. */
const WINDOW_SECONDS = 25;

describe('skew protection in headless Chromium', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'anchor-skew-'));
  const artifacts = process.env.ANCHOR_BROWSER_ARTIFACTS || path.join(tmp, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  let anchor, serve, url, chrome, oldPage, v1DeploymentId, v2DeploymentId, v2LiveAt;
  let blocked = null;
  const seen = []; // the v1 page's requests: method, URL, x-deployment-id, status

  function step(name, fn) {
    it(name, { timeout: 3 * STEP_MS }, async (t) => {
      if (blocked) return t.skip(blocked);
      try {
        await fn(t);
      } catch (error) {
        blocked = `skipped: "${name}" failed`;
        if (oldPage) {
          const file = path.join(artifacts, `skew-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
          await oldPage.screenshot({ path: file }).catch(() => {});
        }
        if (error instanceof Error) {
          error.message += `\nrequests of the v1 page:\n  ${seen.join('\n  ')}`;
          if (serve) error.message += `\n${serve.tail()}`;
        }
        throw error;
      }
    });
  }

  /** What `/api/hello` says from inside `page`, with `headers`. */
  async function helloFrom(page, headers) {
    return page.evaluate(async (h) => {
      const r = await fetch('/api/hello', { headers: h, cache: 'no-store' });
      return { status: r.status, body: r.ok ? await r.json() : null };
    }, headers);
  }

  step('deploys v1 with its deploymentId and a short window, and starts serve', async () => {
    const bin = required('ANCHOR_SERVE_BIN', 'the serve binary of anchor-examples');
    const { Anchor } = loadAnchor();
    const state = path.join(tmp, 'state');
    anchor = await Anchor.local(state);
    await anchor.createProject(PROJECT, { buildDir: build('ANCHOR_NEXTJS_BUILD') });
    await anchor.setSkewPolicy(PROJECT, { maxAgeSeconds: WINDOW_SECONDS, maxPinned: 5 });
    const plan = await anchor.plan(PROJECT, build('ANCHOR_NEXTJS_BUILD'));
    v1DeploymentId = plan.nextDeploymentId;
    assert.ok(v1DeploymentId, 'the v1 build has no Next.js deploymentId: build it with NEXT_DEPLOYMENT_ID set');
    const v2Plan = await anchor.plan(PROJECT, build('ANCHOR_NEXTJS_BUILD_V2'));
    v2DeploymentId = v2Plan.nextDeploymentId;
    assert.ok(v2DeploymentId && v2DeploymentId !== v1DeploymentId, 'v2 needs its own deploymentId');
    await anchor.deploy(PROJECT, build('ANCHOR_NEXTJS_BUILD'));
    const args = ['--state', state, '--project', PROJECT, '--port', '0', '--host', '127.0.0.1'];
    serve = new Serve(bin, args, path.join(artifacts, 'skew-serve.log'));
    url = await serve.url(PROJECT, STEP_MS);
    chrome = await launchChromium(process.env.ANCHOR_CHROMIUM || '/usr/bin/chromium', STEP_MS);
  });

  step('loads v1, then v2 goes live from another process', async () => {
    oldPage = await (await chrome.browser.newContext()).newPage();
    oldPage.on('response', (r) => {
      const q = r.request();
      seen.push(`${q.method()} ${q.url()} dpl=${q.headers()['x-deployment-id'] ?? '-'} -> ${r.status()}`);
    });
    oldPage.setDefaultTimeout(STEP_MS);
    await oldPage.goto(url);
    assert.equal((await oldPage.textContent('#greeting'))?.trim(), 'Hello from Anchor v1');
    // Marks this document: a full load would lose it.
    await oldPage.evaluate(() => {
      window.__anchorSameDocument = true;
    });
    const d2 = await anchor.deploy(PROJECT, build('ANCHOR_NEXTJS_BUILD_V2'));
    v2LiveAt = Date.now();
    assert.equal(d2.status, 'live');
  });

  step('a client navigation from the v1 page is answered by v1', async () => {
    await oldPage.click('text=Server Action');
    await oldPage.waitForSelector('h1:has-text("Server Action")');
    assert.equal((await oldPage.textContent('h1'))?.trim(), 'Server Action (v1)');
    assert.equal(await oldPage.evaluate(() => window.__anchorSameDocument), true, 'the navigation reloaded the page');
  });

  // A fetch Next does not tag (no x-deployment-id) carries only the
  // __anchor_dpl cookie the viewer-response function set on v1's HTML.
  step("the v1 page's untagged fetch reaches v1 by its cookie", async () => {
    const cookies = await oldPage.context().cookies();
    const pin = cookies.find((c) => c.name === '__anchor_dpl');
    assert.equal(pin?.value, v1DeploymentId, `cookies: ${JSON.stringify(cookies)}`);
    assert.ok(cookies.some((c) => c.name === 'anchor-visitor' && c.httpOnly), 'no visitor cookie');
    assert.deepEqual(await helloFrom(oldPage, {}), { status: 200, body: { message: 'hello', version: 'v1' } });
  });

  // The action's POST carries `x-deployment-id` and runs on v1. Its
  // redirect is then loaded by Next as a document: a navigation, which the
  // router serves live as any page load (the pin cookie does not hold
  // navigations back). The result shows both.
  step('a Server Action from the v1 page runs on v1', async () => {
    await oldPage.fill('input[name="name"]', 'skew');
    await oldPage.click('button[type="submit"]');
    await oldPage.waitForSelector('#result');
    assert.match((await oldPage.textContent('#result'))?.trim() ?? '', /^Saved skew on v\d \(the action ran on v1\)$/);
    const post = seen.find((line) => line.startsWith('POST ') && line.includes('/action '));
    assert.ok(post && post.includes(`dpl=${v1DeploymentId}`), `the action's POST: ${post}`);
  });

  step('a fresh load gets v2', async () => {
    const fresh = await (await chrome.browser.newContext()).newPage();
    await fresh.goto(url);
    assert.equal((await fresh.textContent('#greeting'))?.trim(), 'Hello from Anchor v2');
    const pin = (await fresh.context().cookies()).find((c) => c.name === '__anchor_dpl');
    assert.equal(pin?.value, v2DeploymentId, 'the fresh page is pinned to v2');
    await fresh.context().close();
  });

  step("the old page's requests reach v1 inside the window and v2 after it", async () => {
    const pinned = { 'x-deployment-id': v1DeploymentId };
    assert.deepEqual(await helloFrom(oldPage, pinned), { status: 200, body: { message: 'hello', version: 'v1' } });
    const wait = v2LiveAt + (WINDOW_SECONDS + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    assert.deepEqual(await helloFrom(oldPage, pinned), { status: 200, body: { message: 'hello', version: 'v2' } });
  });

  after(async () => {
    await stopAll(chrome, serve);
    rmSync(tmp, { recursive: true, force: true });
  });
});
