// anchor.serve(): the local edge from Node. The real build is deployed,
// served and rolled back while serving; the next request shows each
// change. A LocalEdge keeps node running until close(), like a listening
// http.Server, and then lets it exit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { anchor, buildV1, buildV2, freshDir, rejection } from './support.mjs';

const { Anchor } = anchor;
const here = path.dirname(fileURLToPath(import.meta.url));

async function greeting(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  const html = await response.text();
  return html.match(/Hello from Anchor v\d+/)?.[0];
}

test('serve shows each deploy and rollback at the next request', async () => {
  const a = await Anchor.local(path.join(freshDir('edge'), 'state'));
  await a.createProject('web', { buildDir: buildV1() });
  await a.deploy('web', buildV1());
  const edge = await a.serve('web', { workersPerFunction: 1 });
  try {
    assert.match(edge.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(await greeting(edge.url), 'Hello from Anchor v1');
    await a.deploy('web', buildV2());
    assert.equal(await greeting(edge.url), 'Hello from Anchor v2');
    await a.rollback('web', { reason: 'node edge test' });
    assert.equal(await greeting(edge.url), 'Hello from Anchor v1');
    const api = await (await fetch(new URL('/api/hello', edge.url))).json();
    assert.deepEqual(api, { message: 'hello', version: 'v1' });
    const port = new URL(edge.url).port;
    assert.equal(edge.deploymentUrl(2), `http://v2.localhost:${port}/`);
    const workers = edge.workers();
    assert.ok(workers.length >= 1 && workers.every((w) => w.function === 'web-server' && w.pid > 0));
  } finally {
    await edge.close();
  }
  await assert.rejects(fetch(edge.url, { signal: AbortSignal.timeout(10_000) }), 'closed: nothing listens');
  await edge.close(); // closing twice does nothing
});

test('serve rejects with a typed error naming what is wrong', async () => {
  const a = await Anchor.local(path.join(freshDir('edge-bad'), 'state'));
  await a.createProject('web');
  const missing = await rejection(a.serve('web', { node: '/nonexistent/node' }));
  assert.equal(missing.code, 'ANCHOR_INVALID_INPUT');
  assert.equal(missing.field, 'node');
  assert.match(missing.message, /was not found/);
  const port = await rejection(a.serve('web', { port: 70000 }));
  assert.equal(port.field, 'port');
  const unknown = await rejection(a.serve('nope'));
  assert.equal(unknown.code, 'ANCHOR_NOT_FOUND');
});

/** Starts a node script with the addon; resolves with its exit, or 'running' after `ms`. */
function runFor(script, ms) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: here, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ended: 'running', output });
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ ended: code, output });
    });
  });
}

const prologue = (label) => `
  import { createRequire } from 'node:module';
  const require = createRequire(${JSON.stringify(path.join(here, 'support.mjs'))});
  const { Anchor } = require('../index.js');
  const a = await Anchor.local(${JSON.stringify(path.join(freshDir(label), 'state'))});
  await a.createProject('web');
  const edge = await a.serve('web');
  console.log('serving', edge.url);
`;

test('a LocalEdge keeps node running until close(), then node exits by itself', async () => {
  const open = await runFor(prologue('edge-open'), 3000);
  assert.equal(open.ended, 'running', `node exited while serving: ${open.output}`);
  assert.match(open.output, /serving http:/);
  const closed = await runFor(`${prologue('edge-closed')}\nawait edge.close();`, 60_000);
  assert.equal(closed.ended, 0, `node did not exit by itself after close(): ${closed.output}`);
});
