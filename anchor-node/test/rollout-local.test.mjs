// Gradual rollouts through the Node package on the embedded default: a
// gate that is a plain function (sync or async), its verdict and reason in
// the record, the probe gate's settings, and refusals that change nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { anchor, buildV1, freshDir } from './support.mjs';

const { Anchor, Rollouts } = anchor;
const PROJECT = 'canary';
// Stages that hold for no time, so each check is due at once.
const STAGES = [
  { percent: 5, holdSeconds: 0 },
  { percent: 25, holdSeconds: 0 },
  { percent: 100, holdSeconds: 0 },
];

async function setup(label) {
  const a = await Anchor.local(path.join(freshDir(label), 'state'));
  await a.createProject(PROJECT);
  const v1 = await a.deploy(PROJECT, buildV1());
  const v2 = await a.deploy(PROJECT, buildV1(), { rollout: STAGES });
  return { a, v1, v2 };
}

test('a gate function advances, then aborts with its reason', async () => {
  const { a, v1, v2 } = await setup('rollout-abort');
  const rollouts = a.rollouts(PROJECT);
  assert.ok(rollouts instanceof Rollouts);
  const started = await rollouts.status();
  assert.equal(started.state, 'running');
  assert.equal(started.candidate, v2.id);
  assert.equal(started.baseline, v1.id);
  assert.deepEqual(started.plan[1], { percent: 25, holdSeconds: 0 });

  const asked = [];
  function errorRate(check) {
    asked.push(check);
    return asked.length === 1 ? true : { healthy: false, reason: 'error rate 12 %' };
  }
  assert.equal((await rollouts.check(errorRate)).stage, 1);
  const aborted = await rollouts.check(errorRate);
  assert.equal(aborted.state, 'aborted');
  const last = aborted.events.at(-1);
  assert.deepEqual([last.kind, last.decidedBy, last.reason], ['aborted', 'errorRate', 'error rate 12 %']);
  assert.deepEqual(asked.map((c) => c.percent), [5, 25]);
  assert.equal(asked[0].candidateVersion, v2.version);
  assert.equal((await a.activeDeployment(PROJECT)).id, v1.id);
  assert.equal((await a.project(PROJECT)).rollout.state, 'aborted');
});

test('an async gate runs the rollout to completion', async () => {
  const { a, v2 } = await setup('rollout-run');
  const done = await a.rollouts(PROJECT).run(async () => true);
  assert.equal(done.state, 'completed');
  assert.deepEqual(done.events.map((e) => e.kind), ['started', 'advanced', 'completed']);
  assert.equal((await a.activeDeployment(PROJECT)).id, v2.id);
  await assert.rejects(a.rollouts(PROJECT).abort('too late'), { code: 'ANCHOR_INVALID_STATE' });
});

test('gates that throw, reject or answer nonsense change nothing', async () => {
  const { a } = await setup('rollout-bad');
  const rollouts = a.rollouts(PROJECT);
  const before = await rollouts.status();
  await assert.rejects(
    rollouts.check(() => {
      throw new Error('metrics are down');
    }),
    (e) => e.code === 'ANCHOR_SERVICE' && /metrics are down/.test(e.message),
  );
  await assert.rejects(
    rollouts.check(async () => {
      throw new Error('still down');
    }),
    (e) => e.code === 'ANCHOR_SERVICE' && /still down/.test(e.message),
  );
  await assert.rejects(rollouts.check(() => 42), { code: 'ANCHOR_INVALID_INPUT', field: 'gate' });
  await assert.rejects(rollouts.check({ url: 'ftp://example.com/' }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'probe.url',
  });
  await assert.rejects(rollouts.check('no'), { code: 'ANCHOR_INVALID_INPUT', field: 'gate' });
  // The alarm gate reads CloudWatch: only an Anchor opened on AWS has it.
  await assert.rejects(rollouts.check({ alarms: ['shop-5xx'] }), { code: 'ANCHOR_INVALID_INPUT', field: 'alarms' });
  await assert.rejects(a.deploy(PROJECT, buildV1(), { promote: false, rollout: [{ percent: 50, holdSeconds: 0 }] }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'rollout.stages[0].percent',
  });
  await assert.rejects(a.deploy(PROJECT, buildV1()), { code: 'ANCHOR_INVALID_STATE' });
  assert.deepEqual(await rollouts.status(), before);
});

test('a skew policy is recorded, and a negative window refused by name', async () => {
  const a = await Anchor.local(path.join(freshDir('skew-policy'), 'state'));
  await a.createProject(PROJECT);
  const project = await a.setSkewPolicy(PROJECT, { maxAgeSeconds: 60, maxPinned: 2 });
  assert.deepEqual(project.skewPolicy, { maxAgeSeconds: 60, maxPinned: 2 });
  await assert.rejects(a.setSkewPolicy(PROJECT, { maxAgeSeconds: -1 }), {
    code: 'ANCHOR_INVALID_INPUT',
    field: 'skew.maxAgeSeconds',
  });
  assert.deepEqual((await a.project(PROJECT)).skewPolicy, { maxAgeSeconds: 60, maxPinned: 2 });
});

test('a preview address, and an unknown version rejected as not found', async () => {
  const a = await Anchor.local(path.join(freshDir('preview-address'), 'state'));
  await a.createProject(PROJECT);
  await a.deploy(PROJECT, buildV1());
  const preview = await a.preview(PROJECT, buildV1());
  const address = await a.previewAddress(PROJECT, preview.version);
  assert.equal(address.deployment, preview.id);
  assert.equal(address.host, `v${preview.version}.localhost`);
  assert.deepEqual([address.headerName, address.headerValue], ['x-anchor-preview', `v${preview.version}`]);
  assert.ok(address.url.endsWith(`/?__anchor_preview=v${preview.version}`));
  await assert.rejects(a.previewAddress(PROJECT, 99), { code: 'ANCHOR_NOT_FOUND' });
  await assert.rejects(a.previewAddress(PROJECT, -1), { code: 'ANCHOR_INVALID_INPUT', field: 'version' });
});
