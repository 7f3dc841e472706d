// The whole flow on the embedded default with the real example build:
// deploy, plan, deploy again, preview, promote, roll back three ways, page
// through both histories, and add, validate, list and remove a domain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';

import { anchor, buildV1, buildV2, freshDir, drain } from './support.mjs';

const { Anchor, Domains } = anchor;
const PROJECT = 'shop';
const DOMAIN = 'www.example.com';

test('deploy, preview, promote, roll back, history and domains on the embedded default', async () => {
  const state = freshDir('flow');
  const a = await Anchor.local(path.join(state, 'state'));
  assert.ok(a instanceof Anchor);

  const project = await a.createProject(PROJECT);
  assert.equal(project.name, PROJECT);
  assert.equal(project.activeDeployment, undefined);
  assert.ok(project.infrastructure.distributionDomain.length > 0);
  assert.equal(project.infrastructure.alias, 'live');
  // The store the project lives in: the state folder's local cloud.
  // The embedded default names its store by an id kept in its folder.
  assert.match(project.infrastructure.assetLocation, /^local:[0-9a-z]{26}$/);
  assert.equal(project.infrastructure.router.store, 'anchor-router');

  const events = [];
  const d1 = await a.deploy(PROJECT, buildV1(), { onProgress: (e) => events.push(e) });
  await drain();
  assert.equal(d1.version, 1);
  assert.equal(d1.status, 'live');
  assert.equal(d1.project, PROJECT);
  assert.ok(d1.assets.files > 0 && d1.assets.uploadedFiles > 0);
  assert.ok(d1.serverVersion && d1.serverVersion.arn.length > 0);
  // Base64 SHA-256 of the code zip, as in Python's code_sha256.
  assert.match(d1.serverVersion.codeSha256, /^[A-Za-z0-9+/]{43}=$/);
  assert.ok(!Number.isNaN(Date.parse(d1.createdAt)));
  const phases = new Set(events.map((e) => e.phase));
  for (const phase of ['scanning', 'uploading', 'publishing', 'done']) {
    assert.ok(phases.has(phase), `no ${phase} event in ${[...phases]}`);
  }
  assert.equal(events.at(-1).phase, 'done');

  const plan = await a.plan(PROJECT, buildV2());
  assert.equal(plan.baseDeployment, d1.id);
  assert.equal(plan.uploadFiles + plan.copyFiles + plan.skipFiles, plan.assets.length);
  assert.ok(plan.assets.every((asset) => ['upload', 'copy', 'skip'].includes(asset.action)));
  assert.ok(plan.assets.filter((asset) => asset.action === 'copy').every((asset) => asset.copyFrom));
  assert.equal((await a.activeDeployment(PROJECT)).id, d1.id, 'a plan writes nothing');

  const d2 = await a.deploy(PROJECT, buildV2());
  assert.equal(d2.version, 2);
  assert.equal(d2.status, 'live');
  // With a deploymentId, Next 16 gives every build the same BUILD_ID; the
  // deploymentId (the plan's nextDeploymentId) tells the two builds apart.
  assert.ok(plan.nextDeploymentId);
  assert.notEqual(plan.nextDeploymentId, (await a.plan(PROJECT, buildV1())).nextDeploymentId);
  assert.equal(d2.replaced, d1.id);
  assert.equal((await a.deployment(PROJECT, d1.id)).status, 'superseded');

  const preview = await a.preview(PROJECT, buildV1());
  assert.equal(preview.status, 'ready');
  assert.equal((await a.activeDeployment(PROJECT)).id, d2.id);
  const promoted = await a.promote(PROJECT, preview.id);
  assert.equal(promoted.id, preview.id);
  assert.equal(promoted.status, 'live');

  const back = await a.rollback(PROJECT, { reason: 'bad release' });
  assert.equal(back.to.id, d2.id);
  assert.equal(back.from.id, preview.id);
  assert.equal(back.event.reason, 'bad release');
  assert.equal(back.event.fromVersion, 3);
  assert.equal(back.event.toVersion, 2);
  assert.ok(back.elapsedMs >= 0);
  const byVersion = await a.rollback(PROJECT, { toVersion: 1 });
  assert.equal(byVersion.to.id, d1.id);
  const byId = await a.rollback(PROJECT, { toDeployment: preview.id, invalidate: false });
  assert.equal(byId.to.id, preview.id);
  assert.equal(byId.invalidationId, undefined);
  assert.equal((await a.activeDeployment(PROJECT)).id, preview.id);

  const first = await a.history(PROJECT, { limit: 2 });
  assert.deepEqual(first.items.map((d) => d.version), [3, 2]);
  assert.ok(first.nextCursor);
  const rest = await a.history(PROJECT, { limit: 2, cursor: first.nextCursor });
  assert.deepEqual(rest.items.map((d) => d.version), [1]);
  assert.equal(rest.nextCursor, undefined);
  const rollbacks = await a.rollbackHistory(PROJECT);
  assert.deepEqual(rollbacks.items.map((e) => e.toVersion), [3, 1, 2]);
  assert.equal(rollbacks.items.at(-1).reason, 'bad release');

  const domains = a.domains(PROJECT);
  assert.ok(domains instanceof Domains);
  let domain = await domains.add(DOMAIN);
  assert.equal(domain.name, DOMAIN);
  assert.equal(domain.certificateStatus, 'pending_validation');
  assert.equal(domain.cdnStatus, 'pending');
  assert.ok(domain.validationRecords.length > 0);
  assert.equal(domain.routingRecord.recordType, 'CNAME');
  assert.equal(domain.routingRecord.value.replace(/\.$/, ''), project.infrastructure.distributionDomain);
  await a.validateLocalCertificate(domain.certificateId);
  domain = await domains.refresh(DOMAIN);
  assert.equal(domain.certificateStatus, 'issued');
  assert.equal(domain.cdnStatus, 'active');
  assert.deepEqual((await domains.list()).map((d) => d.name), [DOMAIN]);
  await domains.remove(DOMAIN);
  assert.deepEqual(await domains.list(), []);

  const again = await a.project(PROJECT);
  assert.equal(again.activeDeployment, preview.id);
  assert.equal(again.lastSwitch?.to, preview.id);
  const report = await a.recover(PROJECT);
  assert.deepEqual(report.failedDeployments, []);
  assert.deepEqual(report.finishedDomainRemovals, []);
  assert.deepEqual(report.resumedDomainAdditions, []);
  assert.equal((await a.activeDeployment(PROJECT)).id, preview.id, 'recover keeps what is live');
});

test('records are plain objects that survive JSON', async () => {
  const a = await Anchor.local(path.join(freshDir('plain'), 'state'));
  await a.createProject(PROJECT);
  const d = await a.deploy(PROJECT, buildV1());
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
  const copy = JSON.parse(JSON.stringify(d));
  assert.deepEqual(copy, JSON.parse(JSON.stringify(await a.deployment(PROJECT, d.id))));
  assert.equal(typeof copy.assets.bytes, 'number');
  assert.equal(typeof copy.version, 'number');
});

test('many calls run at once on one instance', async () => {
  const a = await Anchor.local(path.join(freshDir('parallel'), 'state'));
  await a.createProject(PROJECT);
  await a.deploy(PROJECT, buildV1());
  const reads = await Promise.all(Array.from({ length: 20 }, () => a.activeDeployment(PROJECT)));
  assert.equal(new Set(reads.map((d) => d.id)).size, 1);
});
