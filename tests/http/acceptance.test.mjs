// The HTTP acceptance suite: what a site Anchor serves must do for a real
// Next.js app, checked with real HTTP requests against ANCHOR_BASE_URL,
// whatever serves it: the local edge in the test command, or a CloudFront
// distribution Anchor built on AWS. tests/http/README.md says what each
// case proves and lists the variables.
//
// The cases run in file order (node --test --test-concurrency=1); the
// rollback cases change the live deployment, so they come last.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import {
  here,
  baseUrl,
  needVariable,
  request,
  text,
  json,
  describeResponse,
  inputs,
  multipart,
  sleep,
  loadKnownFailures,
  expectedFailures,
  acceptanceCase,
} from './support.mjs';

/** Every case id, in the order they run. known-failures.json may name only these. */
export const CASES = [
  'server-action-form',
  'api-post-json-authorization',
  'forwarded-host-spoof',
  'redirect-host',
  'public-files',
  'image-imported',
  'image-public',
  'cache-hit-compressed',
  'isr-time',
  'isr-on-demand',
  'origin-secret',
  'streamed-response',
  'preview-address',
  'skew-pinned',
  'skew-cookie',
  'rollback-next-request',
  'second-rollback-refused',
];

const publicDir = path.resolve(here, '../../examples/nextjs-app/public');

/**
 * `host` with a loopback name (127.0.0.1, [::1]) written as localhost, as
 * Next's NextURL writes it, so that a base URL on 127.0.0.1 matches.
 */
const loopbackAsLocalhost = (host) => host?.replace(/^(127\.0\.0\.1|\[::1\])(?=:|$)/, 'localhost') ?? host;

/** The render time an ISR page shows in its <time id="rendered-at">, or null. */
const renderedAt = (html) => html.match(/<time id="rendered-at"[^>]*>([^<]+)<\/time>/)?.[1] ?? null;

describe('known-failures.json', () => {
  it('names only real cases, each with a reason', () => {
    const all = loadKnownFailures();
    assert.equal(typeof all, 'object');
    for (const [targetName, cases] of Object.entries(all)) {
      assert.equal(typeof cases, 'object', `${targetName} must map case ids to reasons`);
      for (const [id, reason] of Object.entries(cases)) {
        assert.ok(CASES.includes(id), `${targetName}: "${id}" is not a case (cases: ${CASES.join(', ')})`);
        assert.ok(typeof reason === 'string' && reason.trim(), `${targetName}: "${id}" needs a reason`);
      }
    }
  });
});

const { url: base, error: baseError } = baseUrl();

if (!base) {
  it('ANCHOR_BASE_URL', () => {
    throw new Error(baseError);
  });
} else {
  describe(`HTTP acceptance against ${base.href}`, () => {
    const expected = expectedFailures();
    const kase = (id, fn, options) => {
      assert.ok(CASES.includes(id), `unlisted case ${id}`);
      acceptanceCase(id, fn, { expected, ...options });
    };
    const get = (target, options = {}) => request(target, { ...options, base });
    const ok = (response, what) => assert.equal(response.status, 200, `${what}: ${describeResponse(response)}`);

    // A form bound to a Server Action, posted the way a browser without
    // JavaScript posts it. Next refuses the action unless the Origin header
    // matches the host the app believes it serves, so this needs the
    // viewer's host forwarded, and a POST that reaches the server function.
    kase('server-action-form', async () => {
      const page = await get('action');
      ok(page, 'GET /action');
      const fields = inputs(text(page)).filter((i) => i.type === 'hidden' && i.name);
      assert.ok(
        fields.some((f) => f.name.startsWith('$ACTION_ID_')),
        `GET /action has no hidden $ACTION_ID_... input; hidden inputs: ${JSON.stringify(fields)}`,
      );
      const name = `suite${Date.now().toString(36)}`;
      const form = multipart([...fields.map((f) => [f.name, f.value ?? '']), ['name', name]]);
      const posted = await get('action', {
        method: 'POST',
        headers: { origin: base.origin, 'content-type': form.contentType, accept: 'text/html' },
        body: form.body,
      });
      let result = posted;
      if ([301, 302, 303, 307, 308].includes(posted.status)) {
        const location = posted.headers.location;
        assert.ok(location, `the action redirected without a Location: ${describeResponse(posted)}`);
        const next = new URL(location, base);
        assert.equal(next.host, base.host, `the action redirected to another host: ${location}`);
        result = await get(next.href);
      }
      ok(result, 'the form POST (and its redirect)');
      assert.match(
        text(result),
        new RegExp(`Saved ${name} on [\\w.-]+`),
        `the result does not show "Saved ${name} on <version>": ${describeResponse(result)}`,
      );
    });

    // A JSON POST with an Authorization header reaches the app whole. On
    // AWS, origin access control signs requests to the Function URL, which
    // must neither refuse a POST nor replace the viewer's Authorization.
    kase('api-post-json-authorization', async () => {
      const sent = { hello: 'anchor', n: 42, nested: { list: [1, 'two'] } };
      const response = await get('api/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer anchor-test-token' },
        body: JSON.stringify(sent),
      });
      ok(response, 'POST /api/echo');
      const echo = json(response);
      assert.equal(echo.method, 'POST');
      assert.deepEqual(echo.body, sent, 'the body the app received');
      assert.equal(echo.authorization, 'Bearer anchor-test-token', 'the Authorization header the app received');
    });

    // The edge, not the client, says which host was asked for.
    kase('forwarded-host-spoof', async () => {
      const response = await get('api/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-host': 'evil.example' },
        body: '{}',
      });
      ok(response, 'POST /api/echo');
      const echo = json(response);
      assert.equal(
        echo.forwardedHost,
        base.host,
        `x-forwarded-host reaching the app (host header: ${echo.host}); the client sent evil.example`,
      );
    });

    // The proxy (middleware) builds its redirect from the request URL, so
    // the Location shows the host the app believes it is served on. OpenNext
    // makes a Location on that same host relative, so the app also names
    // the host in the `host` query parameter: both must be the viewer's.
    kase('redirect-host', async () => {
      for (const headers of [{}, { 'x-forwarded-host': 'evil.example' }]) {
        const response = await get('old-page', { headers });
        const sent = headers['x-forwarded-host'] ? ' (with X-Forwarded-Host: evil.example)' : '';
        assert.ok([307, 308].includes(response.status), `GET /old-page${sent}: ${describeResponse(response)}`);
        const location = response.headers.location;
        assert.ok(location, `GET /old-page${sent} has no Location`);
        const to = new URL(location, base);
        assert.equal(to.host, base.host, `GET /old-page${sent} redirects to ${location}`);
        assert.equal(to.pathname, '/', `GET /old-page${sent} redirects to ${location}`);
        assert.equal(
          loopbackAsLocalhost(to.searchParams.get('host')),
          loopbackAsLocalhost(base.host),
          `GET /old-page${sent} redirects to ${location}: the host the app believes it serves`,
        );
      }
    });

    // Public files, at the root and nested, with their content types and
    // their exact bytes.
    kase('public-files', async () => {
      const files = [
        ['robots.txt', /^text\/plain\b/],
        ['favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)\b/],
        ['nested/deep/hello.json', /^application\/json\b/],
        ['.well-known/security.txt', /^text\/plain\b/],
        ['fonts/anchor.woff2', /^font\/woff2\b/],
      ];
      const problems = [];
      for (const [file, type] of files) {
        const response = await get(file);
        const want = readFileSync(path.join(publicDir, file));
        if (response.status !== 200) problems.push(`/${file}: ${describeResponse(response, { bodyChars: 120 })}`);
        else if (!type.test(response.headers['content-type'] ?? '')) {
          problems.push(`/${file}: content-type ${response.headers['content-type']}, want ${type}`);
        } else if (response.headers['content-encoding']) {
          problems.push(`/${file}: content-encoding ${response.headers['content-encoding']} without Accept-Encoding`);
        } else if (!response.body.equals(want)) {
          problems.push(`/${file}: ${response.body.length} bytes differ from the ${want.length} in public/`);
        }
      }
      assert.deepEqual(problems, [], `public files:\n  ${problems.join('\n  ')}`);
    });

    /** The optimised image for `source` at 64 px. */
    async function optimised(source) {
      const response = await get(`_next/image?url=${encodeURIComponent(source)}&w=64&q=75`, {
        headers: { accept: 'image/avif,image/webp,image/*,*/*;q=0.8' },
      });
      ok(response, `/_next/image of ${source}`);
      assert.match(response.headers['content-type'] ?? '', /^image\//, `/_next/image of ${source}: content-type`);
      assert.ok(response.body.length > 0, `/_next/image of ${source}: empty body`);
    }

    // next/image of an imported image: the optimiser reads it from the
    // hashed static assets.
    kase('image-imported', async () => {
      const page = await get('image');
      ok(page, 'GET /image');
      const html = text(page);
      const match = html.match(/(?:\/|%2F)_next(?:\/|%2F)static(?:\/|%2F)media(?:\/|%2F)([\w.-]+\.(?:png|jpe?g|webp|avif|gif))/i);
      assert.ok(match, `GET /image names no /_next/static/media/ image: ${describeResponse(page)}`);
      await optimised(`/_next/static/media/${match[1]}`);
    });

    // next/image of a public file: the optimiser must find public files of
    // the live deployment.
    kase('image-public', async () => {
      await optimised('/images/anchor.png');
    });

    // The second request for a static page is answered from the edge cache,
    // compressed.
    kase('cache-hit-compressed', async () => {
      const headers = { 'accept-encoding': 'br, gzip' };
      const first = await get('', { headers });
      ok(first, 'GET / (first)');
      const second = await get('', { headers });
      ok(second, 'GET / (second)');
      assert.match(text(second), /Hello from Anchor v\w+/, `GET / (second): ${describeResponse(second)}`);
      assert.match(second.headers['x-cache'] ?? '', /^Hit from cloudfront$/i, `GET / (second) x-cache: ${describeResponse(second)}`);
      assert.match(
        second.headers['content-encoding'] ?? '',
        /^(br|gzip)$/,
        `GET / (second) content-encoding: ${describeResponse(second)}`,
      );
    });

    /** GETs `page` and returns its render time and the response. */
    async function renderTime(page) {
      const response = await get(page);
      ok(response, `GET /${page}`);
      const at = renderedAt(text(response));
      assert.ok(at && !Number.isNaN(Date.parse(at)), `GET /${page} shows no render time: ${describeResponse(response)}`);
      return { at, response };
    }

    /** Polls `page` for up to `ms` until it shows a render time later than `before`. */
    async function newerRender(page, before, ms) {
      const until = Date.now() + ms;
      let last;
      do {
        last = await renderTime(page);
        if (Date.parse(last.at) > Date.parse(before)) return last.at;
        await sleep(1_000);
      } while (Date.now() < until);
      throw new Error(
        `/${page} still shows a render at ${last.at} (first seen ${before}) after ${ms / 1000} s: ` +
          describeResponse(last.response, { bodyChars: 0 }),
      );
    }

    // Time-based ISR (revalidate = 5): past the revalidate time a request
    // may get the stale page, but a newer render must follow.
    kase('isr-time', async () => {
      const { at } = await renderTime('isr');
      await sleep(6_000);
      await newerRender('isr', at, 30_000);
    });

    // On-demand ISR: revalidatePath through an API route renders the page
    // again although its revalidate time (an hour) is far off.
    kase('isr-on-demand', async () => {
      const { at } = await renderTime('isr-on-demand');
      await sleep(1_100); // a render in the same millisecond could not be told apart
      const response = await get('api/revalidate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/isr-on-demand' }),
      });
      ok(response, 'POST /api/revalidate');
      assert.equal(json(response).revalidated, true, `POST /api/revalidate: ${describeResponse(response)}`);
      await newerRender('isr-on-demand', at, 30_000);
    });

    // A build made with OpenNext's streaming wrapper answers through a
    // Lambda response stream: the status, headers and cookie in its
    // prelude, then the body in chunks. Behind a buffered Function URL the
    // viewer would get the prelude's JSON and NUL bytes as a 200 body.
    kase('streamed-response', async () => {
      for (const headers of [{}, { 'accept-encoding': 'br, gzip' }]) {
        const what = `GET /api/stream (accept-encoding: ${headers['accept-encoding'] ?? 'none'})`;
        const response = await get('api/stream?chunks=5&delay=40', { headers });
        ok(response, what);
        assert.match(response.headers['content-type'] ?? '', /^text\/plain/, `${what}: ${describeResponse(response)}`);
        const version = response.headers['x-anchor-app-version'];
        assert.match(version ?? '', /^v\w+$/, `${what} x-anchor-app-version: ${describeResponse(response)}`);
        const cookies = [response.headers['set-cookie'] ?? []].flat();
        assert.ok(cookies.some((c) => c.startsWith('anchor-stream=1')), `${what} set-cookie: ${describeResponse(response)}`);
        const expectedBody = [0, 1, 2, 3, 4].map((i) => `chunk ${i} of 5 from ${version}\n`).join('');
        assert.equal(text(response), expectedBody, `${what}: the body is not the five chunks in order`);
      }
      const page = await get('streamed');
      ok(page, 'GET /streamed');
      // React separates text parts with empty comments.
      const html = text(page).replaceAll('<!-- -->', '');
      assert.match(html, /Streamed page \(v\w+\)/, `GET /streamed: ${describeResponse(page)}`);
      assert.match(html, /Slow part ready \(v\w+\)/, `GET /streamed: the suspended part never arrived: ${describeResponse(page)}`);
    });

    // The server function's own URL refuses requests that did not come
    // through the distribution (which adds Anchor's origin secret).
    kase('origin-secret', async () => {
      const origin = needVariable('ANCHOR_SERVER_ORIGIN_URL', "the server function's own URL, e.g. its Lambda Function URL");
      const response = await request(origin);
      assert.equal(response.status, 403, `GET ${origin} without the origin secret: ${describeResponse(response)}`);
    });

    // Any deployment is reachable by its version, live or not: the
    // preview header and query parameter reach the previous one while the
    // newer is live, and a version never deployed answers 404.
    kase('preview-address', async () => {
      const previous = needVariable('ANCHOR_PREVIOUS_VERSION', 'the app version of deployment v1, such as v1');
      const byHeader = await get('api/hello', { headers: { 'x-anchor-preview': 'v1' } });
      assert.equal(byHeader.status, 200, `x-anchor-preview: v1: ${describeResponse(byHeader)}`);
      assert.equal(json(byHeader).version, previous, `x-anchor-preview: v1 reached ${json(byHeader).version}`);
      const byQuery = await get('api/hello?__anchor_preview=v1');
      assert.equal(byQuery.status, 200, `?__anchor_preview=v1: ${describeResponse(byQuery)}`);
      assert.equal(json(byQuery).version, previous, `?__anchor_preview=v1 reached ${json(byQuery).version}`);
      const never = await get('api/hello', { headers: { 'x-anchor-preview': 'v9999' } });
      assert.equal(never.status, 404, `x-anchor-preview: v9999: ${describeResponse(never)}`);
    });

    // Skew protection: a request carrying the previous build's Next.js
    // deploymentId (as its pages send it) reaches that deployment inside
    // its window, while a request without it reaches the live one.
    kase('skew-pinned', async () => {
      const previous = needVariable('ANCHOR_PREVIOUS_VERSION', 'the app version of deployment v1, such as v1');
      const id = needVariable('ANCHOR_PREVIOUS_DEPLOYMENT_ID', "the previous build's Next.js deploymentId");
      const pinned = await get('api/hello', { headers: { 'x-deployment-id': id } });
      assert.equal(pinned.status, 200, `x-deployment-id: ${id}: ${describeResponse(pinned)}`);
      assert.equal(json(pinned).version, previous, `x-deployment-id: ${id} reached ${json(pinned).version}`);
      const live = await get('api/hello');
      assert.notEqual(json(live).version, previous, 'without the header the live deployment answers');
    });

    // The viewer-response function's cookies: a first page load gets a
    // visitor id (the rollout split's) and the pin of the deployment that
    // served it, and never sees the header that named it. The pin cookie
    // keeps a page's untagged requests on its deployment, but not a
    // navigation, which loads the live site.
    kase('skew-cookie', async () => {
      const previous = needVariable('ANCHOR_PREVIOUS_VERSION', 'the app version of deployment v1, such as v1');
      const id = needVariable('ANCHOR_PREVIOUS_DEPLOYMENT_ID', "the previous build's Next.js deploymentId");
      const page = await get('');
      ok(page, 'GET /');
      const cookies = [].concat(page.headers['set-cookie'] ?? []);
      const named = (name) => cookies.find((c) => c.startsWith(`${name}=`));
      assert.ok(named('anchor-visitor'), `no anchor-visitor cookie: ${JSON.stringify(cookies)}`);
      assert.ok(named('__anchor_dpl'), `no __anchor_dpl cookie on the HTML: ${JSON.stringify(cookies)}`);
      assert.equal(page.headers['x-anchor-deployment-id'], undefined, 'the served header reached the viewer');
      const fetched = await get('api/hello', { headers: { cookie: `__anchor_dpl=${id}` } });
      assert.equal(json(fetched).version, previous, `an untagged fetch with __anchor_dpl=${id}: ${describeResponse(fetched)}`);
      const navigated = await get('api/hello', { headers: { cookie: `__anchor_dpl=${id}`, 'sec-fetch-mode': 'navigate' } });
      assert.notEqual(json(navigated).version, previous, 'a navigation was held on the pinned deployment');
    });

    // A rollback shows at the very next request, pages and API alike.
    kase('rollback-next-request', async () => {
      const command = needVariable('ANCHOR_ROLLBACK_CMD', 'a shell command that rolls the site back by one deployment');
      const previous = needVariable('ANCHOR_PREVIOUS_VERSION', 'the app version the rollback goes back to, e.g. v1');
      const before = await get('api/hello');
      ok(before, 'GET /api/hello before the rollback');
      const live = json(before).version;
      assert.notEqual(live, previous, `the live version is already ${previous}; deploy another before rolling back`);
      try {
        execSync(command, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, shell: '/bin/sh' });
      } catch (error) {
        throw new Error(`ANCHOR_ROLLBACK_CMD failed (${error.status ?? error.signal}): ${String(error.stderr ?? error.message).trim()}`);
      }
      const api = await get('api/hello');
      ok(api, 'GET /api/hello right after the rollback');
      assert.equal(json(api).version, previous, `GET /api/hello right after the rollback from ${live}`);
      const home = await get('');
      ok(home, 'GET / right after the rollback');
      assert.match(text(home), new RegExp(`Hello from Anchor ${previous}\\b`), `GET / right after the rollback: ${describeResponse(home)}`);
    });

    // Issue 15's defect: with two deployments, a second rollback rolled
    // forward to the release that had just been rolled back. It must be
    // refused, and the site must keep serving the previous version.
    kase('second-rollback-refused', async () => {
      const command = needVariable('ANCHOR_ROLLBACK_CMD', 'a shell command that rolls the site back by one deployment');
      const previous = needVariable('ANCHOR_PREVIOUS_VERSION', 'the app version the rollback goes back to, e.g. v1');
      const before = await get('api/hello');
      ok(before, 'GET /api/hello before the second rollback');
      assert.equal(json(before).version, previous, 'this case runs after rollback-next-request');
      let refused = false;
      try {
        execSync(command, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, shell: '/bin/sh' });
      } catch (error) {
        refused = error.status !== null && error.status !== 0;
        if (!refused) throw error;
      }
      assert.ok(refused, 'ANCHOR_ROLLBACK_CMD succeeded a second time: the rolled-back release came back');
      const api = await get('api/hello');
      ok(api, 'GET /api/hello after the refused rollback');
      assert.equal(json(api).version, previous, 'GET /api/hello after the refused rollback');
    });
  });
}
