// The public surface, read from the generated index.d.ts: the same names
// and units as the Python package, and no test-only knobs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dts = readFileSync(fileURLToPath(new URL('../index.d.ts', import.meta.url)), 'utf8');

/** The body of `interface name { ... }` in index.d.ts. */
function fields(name) {
  const match = dts.match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`));
  assert.ok(match, `index.d.ts has no interface ${name}`);
  return match[1];
}

test('serializeStateWrites is not public (moto tests set ANCHOR_TEST_SERIALIZE_STATE_WRITES)', () => {
  assert.doesNotMatch(dts, /serializeStateWrites/);
});

test('Anchor.aws takes createTables, as Python aws(create_tables=)', () => {
  assert.match(fields('AwsOpenOptions'), /createTables\?: boolean/);
});

test('the serve timeout is in seconds, as in Python', () => {
  const serve = fields('ServeOptions');
  assert.match(serve, /requestTimeoutSeconds\?: number/);
  assert.doesNotMatch(serve, /Ms\?/);
});

test('FunctionVersion carries codeSha256, as Python code_sha256', () => {
  assert.match(fields('FunctionVersion'), /codeSha256: string/);
});

test('the rollback target is toVersion / toDeployment, the local CA call validateLocalCertificate', () => {
  const rollback = fields('RollbackOptions');
  assert.match(rollback, /toVersion\?: number/);
  assert.match(rollback, /toDeployment\?: string/);
  assert.match(dts, /validateLocalCertificate\(certificateId: string\): Promise<void>/);
});

test('domain limits are options of local and aws, named as Python names them in camelCase', () => {
  assert.match(dts, /static local\(path: string, options\?: LocalOpenOptions\): Promise<Anchor>/);
  const local = fields('LocalOpenOptions');
  assert.match(local, /domainLimits\?: DomainLimits/);
  assert.match(local, /domainMode\?: 'aliases' \| 'tenants'/);
  assert.match(fields('AwsOpenOptions'), /domainLimits\?: DomainLimits/);
  const limits = fields('DomainLimits');
  for (const name of ['tenantsPerAccount', 'namesPerCertificate', 'aliasesPerDistribution']) {
    assert.match(limits, new RegExp(`${name}\\?: number`));
  }
  assert.match(fields('Infrastructure'), /domains: 'aliases' \| 'tenants'/);
  assert.match(fields('Domain'), /tenantId\?: string/);
});
