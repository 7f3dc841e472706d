// Pruning through the Node package on the embedded default: a retention
// policy, a dry run that reports what the run then does, the record a
// pruned deployment keeps, and refused policies that change nothing.
// Runs on copies of the committed fixture, so it needs no env vars.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { anchor, freshDir } from './support.mjs';

const { Anchor } = anchor;
const PROJECT = 'prune';
/** The tiny committed OpenNext build. */
const FIXTURE = fileURLToPath(new URL('../../anchor-core/tests/fixtures/open-next-min', import.meta.url));

/**
 * A copy of the fixture made a different build: new server code, a changed
 * public file and a new hashed chunk (as the core's tests do).
 */
function variant(root, tag) {
  const build = path.join(root, tag);
  cpSync(FIXTURE, build, { recursive: true });
  appendFileSync(path.join(build, 'server-functions/default/index.mjs'), `\n// variant ${tag}\n`);
  appendFileSync(path.join(build, 'assets/robots.txt'), `# variant ${tag}\n`);
  writeFileSync(path.join(build, `assets/_next/static/chunks/variant-${tag}.js`), `/* ${tag} */`);
  return build;
}

const versions = (report) => report.pruned.map((p) => p.version);
const kept = (report) => report.kept.map((k) => [k.version, k.reason]);

test('a dry run reports what the prune then frees, and the record stays', async () => {
  const root = freshDir('prune');
  const a = await Anchor.local(path.join(root, 'state'));
  await a.createProject(PROJECT);
  // Skew protection off, so no window keeps an old deployment.
  await a.setSkewPolicy(PROJECT, { maxAgeSeconds: 0, maxPinned: 0 });
  const deployed = [];
  for (const tag of ['b0', 'b1', 'b2']) deployed.push(await a.deploy(PROJECT, variant(root, tag)));
  const project = await a.setRetentionPolicy(PROJECT, { keepPromoted: 1, previewMaxAgeSeconds: 0 });
  assert.deepEqual(project.retention, { keepPromoted: 1, previewMaxAgeSeconds: 0, afterDeploy: false });

  const dry = await a.prune(PROJECT, { dryRun: true });
  assert.equal(dry.dryRun, true);
  assert.deepEqual(versions(dry), [1]);
  assert.deepEqual(kept(dry), [
    [3, 'live'],
    [2, 'rollback_target'],
  ]);
  const untouched = await a.deployment(PROJECT, deployed[0].id);
  assert.equal(untouched.status, 'superseded');
  assert.equal(untouched.pruned, undefined);

  const report = await a.prune(PROJECT);
  assert.equal(report.dryRun, false);
  assert.deepEqual(versions(report), versions(dry));
  assert.deepEqual(kept(report), kept(dry));
  assert.deepEqual(report.freed, dry.freed, 'a run frees what its dry run said');
  // Each build has its own server; the image bundle is shared with the
  // live deployment, so its version stays.
  assert.equal(report.freed.functionVersions, 1);
  assert.ok(report.freed.lambdaCodeBytes > 0 && report.freed.s3Objects > 0);
  assert.deepEqual(report.pruned[0].freed, report.freed);

  const pruned = await a.deployment(PROJECT, deployed[0].id);
  assert.equal(pruned.status, 'pruned');
  assert.ok(pruned.pruned.finishedAt);
  assert.equal(pruned.pruned.previousStatus, 'superseded');
  assert.deepEqual(pruned.pruned.freed, report.pruned[0].freed);
  assert.equal(pruned.pruned.reason, report.pruned[0].reason);
  assert.deepEqual(pruned.serverVersion, deployed[0].serverVersion, 'the record is kept');

  const again = await a.prune(PROJECT);
  assert.deepEqual([again.pruned, again.finished], [[], []]);

  const before = await a.project(PROJECT);
  await assert.rejects(a.setRetentionPolicy(PROJECT, { keepPromoted: -1 }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'retention.keepPromoted',
  });
  assert.deepEqual(await a.project(PROJECT), before);
});

test('the default policy, and refusals named by their option', async () => {
  const a = await Anchor.local(path.join(freshDir('prune-policy'), 'state'));
  await a.createProject(PROJECT);
  assert.equal((await a.project(PROJECT)).retention, undefined);
  const defaults = { keepPromoted: 10, previewMaxAgeSeconds: 30 * 24 * 3600, afterDeploy: false };
  assert.deepEqual((await a.setRetentionPolicy(PROJECT, {})).retention, defaults);
  await assert.rejects(a.setRetentionPolicy(PROJECT, { previewMaxAgeSeconds: -1 }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'retention.previewMaxAgeSeconds',
  });
  await assert.rejects(a.setRetentionPolicy(PROJECT, { keepPromoted: 1.5 }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'retention.keepPromoted',
  });
  await assert.rejects(a.setRetentionPolicy(PROJECT, { afterDeploy: 'yes' }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'policy.afterDeploy',
  });
  await assert.rejects(a.setRetentionPolicy(42, {}), { code: 'ANCHOR_INVALID_INPUT', field: 'project' });
  await assert.rejects(a.prune(PROJECT, { dryRun: 'yes' }), { code: 'ANCHOR_INVALID_INPUT', field: 'options.dryRun' });
  assert.deepEqual((await a.project(PROJECT)).retention, defaults);
  const report = await a.prune(PROJECT, { dryRun: true });
  assert.deepEqual([report.dryRun, report.pruned, report.kept], [true, [], []]);
});
