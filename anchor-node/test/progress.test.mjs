// Progress events reach the callback on the main thread, in order, as
// plain objects; the callback is released when the deploy settles, and it
// never keeps `node` running: a script that deploys exits by itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { anchor, buildV1, freshDir, drain, rejection } from './support.mjs';

const { Anchor } = anchor;
const PHASES = ['scanning', 'packaging', 'uploading', 'publishing', 'promoting', 'invalidating', 'done'];

test('events arrive in phase order with consistent counts', async () => {
  const a = await Anchor.local(path.join(freshDir('progress'), 'state'));
  await a.createProject('shop');
  const events = [];
  const d = await a.deploy('shop', buildV1(), { onProgress: (event) => events.push(event) });
  await drain();
  assert.ok(events.length > 3);
  const order = events.map((e) => PHASES.indexOf(e.phase));
  assert.ok(order.every((i) => i >= 0), `unknown phase in ${events.map((e) => e.phase)}`);
  assert.deepEqual(order, [...order].sort((x, y) => x - y), 'phases never go backwards');
  for (const e of events) {
    assert.ok(e.done <= e.total && e.bytesDone <= e.bytesTotal, JSON.stringify(e));
  }
  const uploads = events.filter((e) => e.phase === 'uploading');
  assert.equal(uploads.at(-1).done, d.assets.uploadedFiles + d.assets.copiedFiles + d.assets.skippedFiles);
  assert.equal(events.at(-1).phase, 'done');
});

test('a failed deploy still settles and never calls the callback afterwards', async () => {
  const a = await Anchor.local(path.join(freshDir('progress-fail'), 'state'));
  await a.createProject('shop');
  let calls = 0;
  const error = await rejection(
    a.deploy('shop', path.join(freshDir('missing'), 'nothing'), { onProgress: () => (calls += 1) }),
  );
  assert.ok(error.code);
  await drain();
  const settled = calls;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(calls, settled);
});

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs `script` in a new `node` with the addon and returns how it ended. */
function runNode(script) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: here,
    env: process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return child;
}

const prologue = () => `
  import { createRequire } from 'node:module';
  const require = createRequire(${JSON.stringify(path.join(here, 'support.mjs'))});
  const { Anchor } = require('../index.js');
  const a = await Anchor.local(${JSON.stringify(path.join(freshDir('exit'), 'state'))});
  await a.createProject('shop');
`;

test('node exits by itself after a deploy with a progress callback', () => {
  const child = runNode(`${prologue()}
    let events = 0;
    const d = await a.deploy('shop', ${JSON.stringify(buildV1())}, { onProgress: () => { events += 1; } });
    console.log('deployed', d.version, d.status);
  `);
  assert.equal(child.error, undefined, `node did not exit by itself: ${child.error}`);
  assert.equal(child.signal, null, 'node was killed: it did not exit by itself');
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /deployed 1 live/);
});

test('node exits by itself when a deploy with a callback fails, and with work never awaited', () => {
  const child = runNode(`${prologue()}
    a.deploy('shop', '/nonexistent/build', { onProgress: () => {} }).catch((e) => console.log('failed', e.code));
    a.activeDeployment('shop').then((d) => console.log('active', d ?? 'none'));
  `);
  assert.equal(child.error, undefined, `node did not exit by itself: ${child.error}`);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /failed ANCHOR_/);
  assert.match(child.stdout, /active none/);
});
