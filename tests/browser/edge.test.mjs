// The local edge server (`serve`, examples/rust/serve.rs) seen from headless
// Chromium: the project deployed on the embedded default is served over
// HTTP, and a deploy or rollback made by another process (this one, through
// the Node package) shows at the next page load, with no restart of serve.
//
// scripts/test-browser.sh sets ANCHOR_SERVE_BIN, ANCHOR_NEXTJS_BUILD(_V2)
// and ANCHOR_BROWSER_ARTIFACTS (where serve's log and, on a failure, a
// screenshot go). Each step fails within about a minute with a message
// naming what it waited for, followed by the last lines serve printed.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { STEP_MS, deadline, required, build, loadAnchor, Serve, launchChromium, stopAll } from './support.mjs';

const PROJECT = 'web';
const greeting = (version) => `Hello from Anchor ${version}`;

describe('the local edge in headless Chromium', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'anchor-browser-'));
  const artifacts = process.env.ANCHOR_BROWSER_ARTIFACTS || path.join(tmp, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  let anchor, serve, url, startPid, chrome, page;
  let live = null; // the app version the live alias points at, as this process last set it
  const offLoopback = []; // requests Chromium made to any host but loopback
  let blocked = null; // set when a step leaves nothing to test against

  /** One step: skipped once an essential step failed, timed, explained on failure. */
  function step(name, fn, { essential = false } = {}) {
    it(name, { timeout: 3 * STEP_MS }, async (t) => {
      if (blocked) return t.skip(blocked);
      const started = performance.now();
      try {
        await fn(t);
      } catch (error) {
        if (essential) blocked = `skipped: "${name}" failed`;
        else if (url && !(await answers(url))) blocked = `skipped: serve stopped answering GET / after "${name}"`;
        throw await explain(error, name);
      } finally {
        t.diagnostic(`${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  }

  /** Whether `target` still answers within 10 s, so that one hang fails one step, not all. */
  async function answers(target) {
    try {
      await fetch(target, { signal: AbortSignal.timeout(10_000) }).then((r) => r.arrayBuffer());
      return serve.running();
    } catch {
      return false;
    }
  }

  /** Adds serve's last output and a screenshot of the page to a step's error. */
  async function explain(error, name) {
    const notes = [];
    if (page) {
      const file = path.join(artifacts, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
      await deadline(page.screenshot({ path: file }), 10_000, 'screenshot')
        .then(() => notes.push(`screenshot: ${file} (page ${page.url()})`))
        .catch(() => {});
    }
    if (serve) notes.push(serve.tail());
    if (notes.length && error instanceof Error) error.message += `\n${notes.join('\n')}`;
    return error;
  }

  /** Loads `target` (or reloads the page) and returns the greeting shown. */
  async function greetingAt(target) {
    const response = target ? await page.goto(target) : await page.reload();
    assert.ok(response, `no response for ${target ?? page.url()}`);
    assert.equal(response.status(), 200, `${response.url()} answered ${response.status()}`);
    return (await page.textContent('#greeting'))?.trim();
  }

  /** A browser context whose requests to anything but loopback are recorded. */
  async function newContext() {
    const context = await chrome.browser.newContext();
    context.on('request', (request) => {
      const { protocol, hostname } = new URL(request.url());
      const loopback = hostname === '127.0.0.1' || hostname === 'localhost' || hostname.endsWith('.localhost');
      if (!loopback && protocol !== 'data:') offLoopback.push(request.url());
    });
    return context;
  }

  step(
    'deploys v1 on the embedded default and starts serve',
    async () => {
      const bin = required('ANCHOR_SERVE_BIN', 'the serve binary of anchor-examples');
      assert.ok(existsSync(bin), `ANCHOR_SERVE_BIN=${bin} does not exist`);
      const { Anchor } = loadAnchor();
      const state = path.join(tmp, 'state');
      anchor = await Anchor.local(state);
      await anchor.createProject(PROJECT, { buildDir: build('ANCHOR_NEXTJS_BUILD') });
      const d1 = await anchor.deploy(PROJECT, build('ANCHOR_NEXTJS_BUILD'));
      assert.equal(d1.version, 1);
      assert.equal(d1.status, 'live');
      live = 'v1';
      const args = ['--state', state, '--project', PROJECT, '--port', '0', '--host', '127.0.0.1'];
      serve = new Serve(bin, args, path.join(artifacts, 'serve.log'));
      startPid = serve.pid;
      url = await serve.url(PROJECT, STEP_MS);
    },
    { essential: true },
  );

  step(
    'starts headless Chromium',
    async () => {
      chrome = await launchChromium(process.env.ANCHOR_CHROMIUM || '/usr/bin/chromium', STEP_MS);
      page = await (await newContext()).newPage();
      page.setDefaultTimeout(STEP_MS);
      page.setDefaultNavigationTimeout(STEP_MS);
    },
    { essential: true },
  );

  step('shows v1 at / (the first request starts the node workers)', async () => {
    assert.equal(await greetingAt(url), greeting('v1'));
  });

  step('shows v2 on reload after a deploy from another process', async () => {
    const d2 = await anchor.deploy(PROJECT, build('ANCHOR_NEXTJS_BUILD_V2'));
    assert.equal(d2.version, 2);
    live = 'v2';
    assert.equal(await greetingAt(), greeting('v2'));
  });

  step('shows v1 again on reload after a rollback, from the same serve process', async () => {
    const outcome = await anchor.rollback(PROJECT, { reason: 'browser test' });
    assert.equal(outcome.to.version, 1);
    live = 'v1';
    assert.equal(await greetingAt(), greeting('v1'));
    assert.equal(serve.pid, startPid, 'serve was replaced by another process');
    assert.ok(serve.running(), 'serve is no longer running');
    assert.doesNotThrow(() => process.kill(startPid, 0), `pid ${startPid} is gone`);
    assert.equal(serve.servingLines.length, 1, `serve announced itself again: ${serve.servingLines}`);
  });

  step('loads the next/image <img> through /_next/image on /image', async () => {
    const seen = [];
    const onResponse = (r) => seen.push(`${r.status()} ${r.headers()['content-type'] ?? '-'} ${r.url()}`);
    page.on('response', onResponse);
    try {
      const optimised = page.waitForResponse((r) => r.url().startsWith(`${url}_next/image`), { timeout: STEP_MS });
      optimised.catch(() => {});
      const response = await page.goto(`${url}image`);
      assert.equal(response?.status(), 200, `/image answered ${response?.status()}`);
      const image = await deadline(optimised, STEP_MS, 'a response to /_next/image').catch((error) => {
        error.message += `\nresponses seen:\n  ${seen.join('\n  ')}`;
        throw error;
      });
      assert.equal(image.status(), 200, `${image.url()} answered ${image.status()}`);
      assert.match(image.headers()['content-type'] ?? '', /^image\//, `${image.url()} content-type`);
      await loaded('img[src^="/_next/image"]', seen);
    } finally {
      page.off('response', onResponse);
    }
  });

  // In a new context: the previous step's page has this file cached, and
  // its revalidation (max-age=0) rightly answers 304 instead of the bytes.
  step('loads the public file /images/anchor.png on /image', async () => {
    const context = await newContext();
    const fresh = await context.newPage();
    try {
      fresh.setDefaultTimeout(STEP_MS);
      const plain = fresh.waitForResponse((r) => r.url() === `${url}images/anchor.png`, { timeout: STEP_MS });
      plain.catch(() => {});
      await fresh.goto(`${url}image`, { timeout: STEP_MS });
      const response = await plain;
      assert.equal(response.status(), 200, `/images/anchor.png answered ${response.status()}`);
      assert.match(response.headers()['content-type'] ?? '', /^image\/png/, '/images/anchor.png content-type');
      await loaded('img[src="/images/anchor.png"]', [], fresh);
    } finally {
      await context.close();
    }
  });

  /** Waits until the <img> matching `selector` has loaded with a width. */
  async function loaded(selector, seen, on = page) {
    const ok = (s) => {
      const img = document.querySelector(s);
      return Boolean(img && img.complete && img.naturalWidth > 0);
    };
    try {
      await on.waitForFunction(ok, selector, { timeout: STEP_MS });
    } catch (error) {
      const state = await on
        .$eval(selector, (img) => ({ html: img.outerHTML, complete: img.complete, naturalWidth: img.naturalWidth, currentSrc: img.currentSrc }))
        .catch(() => `no element matches ${selector}`);
      error.message += `\n<img> state: ${JSON.stringify(state)}\nresponses seen:\n  ${seen.join('\n  ')}`;
      throw error;
    }
  }

  step('answers /api/hello with JSON naming the live version', async () => {
    const response = await page.goto(`${url}api/hello`);
    assert.equal(response?.status(), 200, `/api/hello answered ${response?.status()}`);
    const text = await response.text();
    let body;
    assert.doesNotThrow(() => (body = JSON.parse(text)), `/api/hello is not JSON: ${text.slice(0, 200)}`);
    assert.equal(body.message, 'hello');
    assert.equal(body.version, live);
  });

  step('serves each deployment at its preview host v<N>.localhost', async () => {
    assert.equal(live, 'v1');
    assert.equal(await greetingAt(url.replace('127.0.0.1', 'v2.localhost')), greeting('v2'));
    assert.equal(await greetingAt(url.replace('127.0.0.1', 'v1.localhost')), greeting('v1'));
  });

  step('made no request beyond loopback', async () => {
    assert.deepEqual(offLoopback, []);
  });

  step('stops on SIGTERM, its node workers with it', async () => {
    const members = () => {
      try {
        return execFileSync('ps', ['-e', '-o', 'pid=,pgid=,args='], { encoding: 'utf8' })
          .split('\n')
          .filter((line) => line.trim().split(/\s+/)[1] === String(startPid));
      } catch {
        return [];
      }
    };
    const before = members();
    const result = await serve.stop(10_000);
    assert.ok(result.exit, `serve did not exit within 10 s of SIGTERM (killed); its group was:\n${before.join('\n')}`);
    assert.ok(!result.leftover, `processes of serve's group outlived it by 10 s (killed):\n${before.join('\n')}`);
  });

  after(async () => {
    await stopAll(chrome, serve);
    rmSync(tmp, { recursive: true, force: true });
  });
});
