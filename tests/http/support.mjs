// Support for the HTTP acceptance suite: the base URL, raw HTTP requests
// (node:http and node:https, so that headers go out exactly as written and
// bodies come back exactly as sent, compressed or not), small HTML readers,
// and the strict known-failures list.
//
// Node 20 built-ins only: the suite must run from a bare checkout against
// any deployment, with nothing to install.

import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

export const here = path.dirname(fileURLToPath(import.meta.url));

/** How long one request may take: the first request to a cold function starts it. */
export const REQUEST_MS = 30_000;

/** How long one case may take: the ISR cases wait and poll for about 40 s. */
export const CASE_MS = 120_000;

/** The base URL from ANCHOR_BASE_URL, with a trailing slash, or the reason there is none. */
export function baseUrl() {
  const raw = process.env.ANCHOR_BASE_URL;
  if (!raw) {
    return { error: 'ANCHOR_BASE_URL is not set: point it at the site to test, e.g. https://dxxxx.cloudfront.net' };
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: `ANCHOR_BASE_URL=${raw} is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `ANCHOR_BASE_URL=${raw} is not an http(s) URL` };
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return { url };
}

/** The value of a variable a case needs, or an error naming it and what it is for. */
export function needVariable(name, what) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (${what}); this case cannot run without it`);
  return value;
}

/**
 * One HTTP request, no redirect followed, no body decoded. `target` is a URL
 * or a path resolved against `base`. Resolves to { status, headers, body }
 * with `body` a Buffer and header names in lower case.
 */
export function request(target, { method = 'GET', headers = {}, body, base } = {}) {
  const url = new URL(target, base);
  const client = url.protocol === 'https:' ? https : http;
  // `*.localhost` is loopback (RFC 6761), as browsers and curl resolve it;
  // the local edge serves its Function URLs at such names.
  const lookup = url.hostname.endsWith('.localhost') ? loopback : undefined;
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const sent = { ...headers };
  if (payload !== undefined && !Object.keys(sent).some((h) => h.toLowerCase() === 'content-length')) {
    sent['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers: sent, agent: false, timeout: REQUEST_MS, lookup }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), url: url.href }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href}: no answer within ${REQUEST_MS / 1000} s`)));
    req.on('error', (error) => {
      error.message = `${method} ${url.href}: ${error.message}`;
      reject(error);
    });
    req.end(payload);
  });
}

/** A DNS lookup that answers 127.0.0.1, in both of the shapes node asks for. */
function loopback(hostname, options, callback) {
  if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

/** The body as text, decompressed per its content-encoding. */
export function text(response) {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'br') return zlib.brotliDecompressSync(response.body).toString('utf8');
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(response.body).toString('utf8');
  if (encoding === 'deflate') return zlib.inflateSync(response.body).toString('utf8');
  return response.body.toString('utf8');
}

/** A one-line description of a response for failure messages. */
export function describeResponse(response, { bodyChars = 300 } = {}) {
  const picked = ['content-type', 'content-encoding', 'location', 'x-cache', 'cache-control', 'x-nextjs-cache']
    .filter((h) => response.headers[h] !== undefined)
    .map((h) => `${h}: ${response.headers[h]}`);
  let snippet = '';
  try {
    snippet = text(response).replace(/\s+/g, ' ').slice(0, bodyChars);
  } catch {
    snippet = `<${response.body.length} bytes>`;
  }
  return `${response.status} from ${response.url} [${picked.join('; ')}] ${JSON.stringify(snippet)}`;
}

/** Parses a JSON body, failing with what came back when it is not JSON. */
export function json(response) {
  try {
    return JSON.parse(text(response));
  } catch {
    throw new Error(`expected JSON, got ${describeResponse(response)}`);
  }
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

/** Decodes the HTML entities React writes into attribute values. */
export function decodeEntities(value) {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (ENTITIES[name.toLowerCase()] !== undefined) return ENTITIES[name.toLowerCase()];
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return whole;
  });
}

/** The attributes of every `<input>` tag in `html`, as objects. */
export function inputs(html) {
  const found = [];
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    const attributes = {};
    for (const [, name, , quoted, single, bare] of tag.matchAll(/([^\s=<>/"']+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      if (name.toLowerCase() === 'input') continue;
      attributes[name.toLowerCase()] = decodeEntities(quoted ?? single ?? bare ?? '');
    }
    found.push(attributes);
  }
  return found;
}

/** A multipart/form-data body of `fields` ([name, value] pairs), as a browser sends a form. */
export function multipart(fields) {
  const boundary = `----anchorHttpSuite${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the known-failures list ---------------------------------------------------

export const KNOWN_FAILURES_FILE = path.join(here, 'known-failures.json');

/** known-failures.json as { target: { caseId: reason } }. */
export function loadKnownFailures() {
  return JSON.parse(readFileSync(KNOWN_FAILURES_FILE, 'utf8'));
}

/** The target named by ANCHOR_HTTP_TARGET, or null for a user's own deployment. */
export function target() {
  return process.env.ANCHOR_HTTP_TARGET || null;
}

/**
 * The cases expected to fail on this run's target: {} with no target. A
 * target missing from the file is an error, so that a typo cannot turn the
 * list off.
 */
export function expectedFailures() {
  const name = target();
  if (!name) return {};
  const all = loadKnownFailures();
  if (!Object.hasOwn(all, name)) {
    throw new Error(
      `ANCHOR_HTTP_TARGET=${name} has no entry in ${KNOWN_FAILURES_FILE} ` +
        `(targets: ${Object.keys(all).join(', ')}); add "${name}": {} if nothing is expected to fail there`,
    );
  }
  return all[name];
}

/**
 * Registers one acceptance case. A case listed for this run's target must
 * fail: its error is reported as a diagnostic next to the listed reason, and
 * a pass fails the test, so the list only ever shrinks. Anything else runs
 * as an ordinary test.
 */
export function acceptanceCase(id, fn, { expected, timeout = CASE_MS } = {}) {
  it(id, { timeout }, async (t) => {
    const reason = expected?.[id];
    if (reason === undefined) return fn(t);
    let failure = null;
    try {
      await fn(t);
    } catch (error) {
      failure = error ?? new Error('threw a nullish value');
    }
    if (!failure) {
      throw new Error(
        `case ${id} now passes: remove it from known-failures.json (target ${target()}; listed reason: ${reason})`,
      );
    }
    const observed = String(failure?.message ?? failure).split('\n')[0].slice(0, 500);
    t.diagnostic(`known failure on ${target()}: ${reason}`);
    t.diagnostic(`observed: ${observed}`);
  });
}
