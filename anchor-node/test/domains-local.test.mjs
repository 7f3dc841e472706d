// Custom domains at scale through the Node package on the embedded
// default: tenant mode by default (each domain its own certificate and
// tenant, so a pending name holds up no other), the domain limits as
// options (the account's tenant quota, a certificate's names in alias
// mode) with the core's typed errors, and an apex's ALIAS routing record.
// Needs no build, so no env vars.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { anchor, freshDir, rejection } from './support.mjs';

const { Anchor } = anchor;
const PROJECT = 'shop';
const NAMES = ['www.example.com', 'shop.example.org', 'docs.example.net'];

const byName = async (domains) => Object.fromEntries((await domains.list()).map((d) => [d.name, d]));

test('tenant mode is the default, and a pending domain holds up no other', async () => {
  const a = await Anchor.local(path.join(freshDir('domains-tenants'), 'state'));
  const project = await a.createProject(PROJECT);
  assert.equal(project.infrastructure.domains, 'tenants');
  const domains = a.domains(PROJECT);
  const added = [];
  for (const name of NAMES) added.push(await domains.add(name));
  let [pending, , active] = added;
  // Each certificate names its domain alone.
  assert.deepEqual(pending.certificateNames, [pending.name]);
  assert.equal(pending.tenantId, undefined);
  assert.equal(pending.cdnStatus, 'pending');

  await a.validateLocalCertificate(active.certificateId);
  active = await domains.refresh(active.name);
  assert.equal(active.certificateStatus, 'issued');
  assert.equal(active.cdnStatus, 'active');
  assert.ok(active.tenantId);

  // The pending name is still pending, untouched by the other's attach.
  pending = await domains.refresh(pending.name);
  assert.equal(pending.certificateStatus, 'pending_validation');
  assert.equal(pending.cdnStatus, 'pending');
  assert.equal(pending.tenantId, undefined);
  const listed = await byName(domains);
  assert.deepEqual(Object.keys(listed).sort(), [...NAMES].sort());
  assert.equal(listed[active.name].tenantId, active.tenantId);

  // Removing the active one touches no other domain.
  await domains.remove(active.name);
  assert.deepEqual(Object.keys(await byName(domains)).sort(), NAMES.slice(0, 2).sort());
});

test('the tenant quota refuses the third tenant and changes nothing', async () => {
  const a = await Anchor.local(path.join(freshDir('domains-quota'), 'state'), {
    domainLimits: { tenantsPerAccount: 2 },
  });
  await a.createProject(PROJECT);
  const domains = a.domains(PROJECT);
  // Adding takes no tenant: all three names are claimed.
  for (const name of NAMES) {
    const domain = await domains.add(name);
    await a.validateLocalCertificate(domain.certificateId);
  }
  for (const name of NAMES.slice(0, 2)) {
    assert.equal((await domains.refresh(name)).cdnStatus, 'active');
  }

  const error = await rejection(domains.refresh(NAMES[2]));
  assert.ok(error instanceof Error);
  assert.equal(error.code, 'ANCHOR_QUOTA_EXCEEDED');
  // The setting as a JS caller writes it, the quota as Service Quotas names it.
  assert.equal(error.setting, 'domainLimits.tenantsPerAccount');
  assert.equal(error.quota, 'Distribution tenants per account (CloudFront)');
  assert.equal(error.limit, '2');
  assert.match(error.message, /domainLimits\.tenantsPerAccount/);
  const third = (await byName(domains))[NAMES[2]];
  assert.equal(third.cdnStatus, 'pending');
  assert.equal(third.tenantId, undefined);

  // Freeing a tenant makes room.
  await domains.remove(NAMES[0]);
  assert.equal((await domains.refresh(NAMES[2])).cdnStatus, 'active');
});

test('alias mode holds a project to the names one certificate takes', async () => {
  const a = await Anchor.local(path.join(freshDir('domains-aliases'), 'state'), {
    domainMode: 'aliases',
    domainLimits: { namesPerCertificate: 2 },
  });
  const project = await a.createProject(PROJECT);
  assert.equal(project.infrastructure.domains, 'aliases');
  const domains = a.domains(PROJECT);
  const first = await domains.add(NAMES[0]);
  const second = await domains.add(NAMES[1]);
  assert.equal(first.tenantId, undefined);
  assert.equal(second.tenantId, undefined);
  // In alias mode a new certificate names the project's other domains too.
  assert.deepEqual([...second.certificateNames].sort(), NAMES.slice(0, 2).sort());

  const error = await rejection(domains.add(NAMES[2]));
  assert.equal(error.code, 'ANCHOR_QUOTA_EXCEEDED');
  assert.equal(error.setting, 'domainLimits.namesPerCertificate');
  assert.equal(error.quota, 'Domain names per ACM certificate (ACM)');
  assert.equal(error.limit, '2');
  assert.deepEqual((await domains.list()).map((d) => d.name), NAMES.slice(0, 2));
});

test('a bad limit or mode rejects naming it before anything is opened', async () => {
  const cases = [
    [{ domainLimits: { tenantsPerAccount: 0 } }, 'domainLimits.tenantsPerAccount'],
    [{ domainLimits: { namesPerCertificate: 0 } }, 'domainLimits.namesPerCertificate'],
    [{ domainLimits: { namesPerCertificate: 101 } }, 'domainLimits.namesPerCertificate'],
    [{ domainLimits: { aliasesPerDistribution: 0 } }, 'domainLimits.aliasesPerDistribution'],
    [{ domainLimits: { tenantsPerAccount: -1 } }, 'domainLimits.tenantsPerAccount'],
    [{ domainLimits: { tenantsPerAccount: 2.5 } }, 'domainLimits.tenantsPerAccount'],
    [{ domainLimits: { tenantsPerAccount: '2' } }, 'options.domainLimits'],
    [{ domainMode: 'cnames' }, 'domainMode'],
    [{ domainMode: 1 }, 'options.domainMode'],
  ];
  for (const [options, field] of cases) {
    const state = path.join(freshDir('domains-bad'), 'state');
    const error = await rejection(Anchor.local(state, options));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', JSON.stringify(options));
    assert.equal(error.field, field, JSON.stringify(options));
    assert.ok(!existsSync(state), JSON.stringify(options));
  }
  // On AWS too, before connecting: nothing listens on port 9.
  const aws = { bucket: 'b', region: 'us-east-1', endpointUrl: 'http://127.0.0.1:9', maxAttempts: 1 };
  const error = await rejection(Anchor.aws({ ...aws, domainLimits: { namesPerCertificate: 101 } }));
  assert.equal(error.code, 'ANCHOR_INVALID_INPUT');
  assert.equal(error.field, 'domainLimits.namesPerCertificate');
});

test('every field of DomainLimits in index.d.ts is a limit the core checks', async () => {
  // The types, the binding and the core name the same limits: each field
  // at 0 is refused by the core's check, naming that field.
  const dts = readFileSync(fileURLToPath(new URL('../index.d.ts', import.meta.url)), 'utf8');
  const body = dts.match(/export interface DomainLimits \{([\s\S]*?)\n\}/)[1];
  const keys = [...body.matchAll(/^ {2}(\w+)\?: number$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(keys, ['aliasesPerDistribution', 'namesPerCertificate', 'tenantsPerAccount']);
  for (const key of keys) {
    const error = await rejection(Anchor.local(path.join(freshDir('domains-keys'), 'state'), { domainLimits: { [key]: 0 } }));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT');
    assert.deepEqual([error.field, error.reason], [`domainLimits.${key}`, 'must be at least 1']);
  }
});

test('an apex gets an ALIAS record and a subdomain a CNAME', async () => {
  const a = await Anchor.local(path.join(freshDir('domains-apex'), 'state'));
  const project = await a.createProject(PROJECT);
  const target = `${project.infrastructure.distributionDomain}.`;
  const apex = await a.domains(PROJECT).add('example.com');
  assert.deepEqual(apex.routingRecord, { name: 'example.com.', recordType: 'ALIAS', value: target });
  const sub = await a.domains(PROJECT).add('www.example.com');
  assert.deepEqual([sub.routingRecord.recordType, sub.routingRecord.value], ['CNAME', target]);
});
