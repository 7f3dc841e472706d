// Every core error variant becomes a JS Error with its own stable `code`,
// its structured fields as properties and its source chain in the message
// and as `cause`; real failures of real calls carry the same.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { anchor, buildV1, freshDir, rejection } from './support.mjs';

const { Anchor, errorCodes, _errorFields, _throwCoreError, _panicInFuture } = anchor;

// The core is the only table of codes and fields: errorCodes() lists the
// codes and _errorFields(code) the fields of the core's sample of each.
const EXPECTED = Object.fromEntries(errorCodes().map((code) => [code, _errorFields(code)]));

const thrown = (code) => {
  try {
    _throwCoreError(code);
  } catch (error) {
    return error;
  }
  throw new Error(`_throwCoreError(${code}) did not throw`);
};

test('errorCodes lists every core code once, each with structured fields', () => {
  const codes = errorCodes();
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(codes.includes('ANCHOR_INVALID_INPUT') && codes.includes('ANCHOR_IO'));
  for (const code of codes) {
    assert.ok(Object.keys(EXPECTED[code]).length > 0, `${code} has no fields`);
  }
});

for (const [code, fields] of Object.entries(EXPECTED)) {
  test(`${code} is an Error with that code and its fields`, () => {
    const error = thrown(code);
    assert.ok(error instanceof Error);
    assert.equal(error.code, code);
    for (const [name, value] of Object.entries(fields)) {
      assert.equal(error[name], value, `${code}.${name}`);
    }
    // Spot checks that the derived table is the core's, not empty.
    if (code === 'ANCHOR_INVALID_INPUT') assert.equal(error.field, 'domain');
    if (code === 'ANCHOR_SERVICE') assert.equal(error.retryable, true);
    // A setting is named as a JS caller writes it, in the message too.
    if (code === 'ANCHOR_QUOTA_EXCEEDED') {
      assert.equal(error.setting, 'domainLimits.tenantsPerAccount');
      assert.equal(error.limit, '10000');
      assert.ok(error.message.endsWith('then domainLimits.tenantsPerAccount'), error.message);
    }
    assert.ok(error.message.length > 0);
  });
}

test('the source chain is in the message and is the cause', () => {
  for (const [code, chain] of [['ANCHOR_SERVICE', 'connection reset'], ['ANCHOR_IO', 'no such file']]) {
    const error = thrown(code);
    assert.ok(error.message.endsWith(`(caused by: ${chain})`), error.message);
    assert.ok(error.cause instanceof Error);
    assert.equal(error.cause.message, chain);
  }
  assert.equal(thrown('ANCHOR_CONFLICT').cause, undefined);
});

test('an unknown sample code is refused as invalid input', () => {
  const error = thrown('ANCHOR_NOPE');
  assert.equal(error.code, 'ANCHOR_INVALID_INPUT');
  assert.equal(error.field, 'code');
});

test('a panic rejects with ANCHOR_INTERNAL and the process goes on', async () => {
  const error = await rejection(_panicInFuture());
  assert.ok(error instanceof Error);
  assert.equal(error.code, 'ANCHOR_INTERNAL');
  assert.match(error.message, /sample panic/);
});

test('real failures carry their code and fields', async () => {
  const a = await Anchor.local(path.join(freshDir('errors'), 'state'));

  const badName = await rejection(a.createProject('Not A Name!'));
  assert.equal(badName.code, 'ANCHOR_INVALID_INPUT');
  assert.match(badName.field, /^project/);

  const missing = await rejection(a.project('nope'));
  assert.equal(missing.code, 'ANCHOR_NOT_FOUND');
  assert.equal(missing.kind, 'project');
  assert.equal(missing.id, 'nope');

  await a.createProject('shop');
  const noBuild = await rejection(a.deploy('shop', path.join(freshDir('empty'), 'nothing')));
  assert.ok(['ANCHOR_INVALID_BUILD', 'ANCHOR_IO'].includes(noBuild.code), noBuild.code);
  assert.ok(noBuild.path.length > 0);

  const noDeployment = await rejection(a.deployment('shop', 'dpl_01m8cm7sbnvm1m5mp3ack6df7t'));
  assert.equal(noDeployment.code, 'ANCHOR_NOT_FOUND');
  assert.equal(noDeployment.kind, 'deployment');

  const nothingToRollBackTo = await rejection(a.rollback('shop'));
  assert.equal(nothingToRollBackTo.code, 'ANCHOR_INVALID_STATE', 'nothing to roll back to is a state, whatever the history');

  const unknownCertificate = await rejection(a.validateLocalCertificate('nope'));
  assert.equal(unknownCertificate.code, 'ANCHOR_NOT_FOUND');
});

test('bad options name the option and change nothing', async () => {
  const a = await Anchor.local(path.join(freshDir('options'), 'state'));
  await a.createProject('shop');
  const d1 = await a.deploy('shop', buildV1());

  for (const [options, field] of [
    [{ toVersion: -1 }, 'toVersion'],
    [{ toVersion: 1.5 }, 'toVersion'],
    [{ toVersion: Number.NaN }, 'toVersion'],
    [{ toVersion: 1, toDeployment: d1.id }, 'toVersion'],
  ]) {
    const error = await rejection(a.rollback('shop', options));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', JSON.stringify(options));
    assert.equal(error.field, field);
  }
  for (const limit of [0, -3, 1001, 2.5]) {
    const error = await rejection(a.history('shop', { limit }));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', `limit ${limit}`);
    assert.equal(error.field, 'limit');
  }
  // The serve timeout is seconds, as in Python (requestTimeoutSeconds).
  for (const [seconds, field] of [[0, 'requestTimeoutSeconds'], [-1, 'requestTimeoutSeconds'], [86_401, 'requestTimeoutSeconds']]) {
    const error = await rejection(a.serve('shop', { requestTimeoutSeconds: seconds }));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', `requestTimeoutSeconds ${seconds}`);
    assert.equal(error.field, field);
  }
  // The core's bounds, the same as Python's: 1 to 1024 workers.
  for (const workers of [0, 1025, 1.5]) {
    const error = await rejection(a.serve('shop', { workersPerFunction: workers }));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', `workersPerFunction ${workers}`);
    assert.equal(error.field, 'workersPerFunction');
  }
  const attempts = await rejection(Anchor.aws({ bucket: 'b', maxAttempts: -1 }));
  assert.equal(attempts.code, 'ANCHOR_INVALID_INPUT');
  assert.equal(attempts.field, 'maxAttempts');

  const live = await a.activeDeployment('shop');
  assert.equal(live.id, d1.id);
  assert.equal((await a.rollbackHistory('shop')).items.length, 0);
});

test('a wrong JS type rejects with ANCHOR_INVALID_INPUT naming the parameter', async () => {
  const a = await Anchor.local(path.join(freshDir('types'), 'state'));
  await a.createProject('shop');
  const cases = [
    // [call, field, got]
    [() => a.deploy('shop', 42), 'buildDir', 'a number'],
    [() => a.deploy(7, buildV1()), 'project', 'a number'],
    [() => a.deploy('shop', buildV1(), 'promote'), 'options', 'a string'],
    [() => a.deploy('shop', buildV1(), { promote: 'yes' }), 'options.promote', null],
    [() => a.project(42), 'name', 'a number'],
    [() => a.project(), 'name', 'undefined'],
    [() => a.createProject({ name: 'shop' }), 'name', 'an object'],
    [() => a.createProject('shop', { buildDir: 5 }), 'options.buildDir', null],
    [() => a.rollback('shop', { toVersion: '1' }), 'options.toVersion', null],
    [() => a.history('shop', 20), 'options', 'a number'],
    [() => a.promote('shop', null), 'deploymentId', 'null'],
    [() => a.serve(['shop']), 'project', 'an object'],
    [() => a.validateLocalCertificate(true), 'certificateId', 'a boolean'],
    [() => Anchor.local(1), 'path', 'a number'],
    [() => Anchor.aws('bucket'), 'options', 'a string'],
    [() => Anchor.aws({}), 'options.bucket', null],
    [() => a.domains('shop').add(3), 'name', 'a number'],
  ];
  for (const [call, field, got] of cases) {
    const error = await rejection(call());
    assert.ok(error instanceof Error, String(call));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', `${call}: ${error.code} ${error.message}`);
    assert.equal(error.field, field, String(call));
    assert.ok(error.message.includes(field), error.message);
    if (got) assert.ok(error.reason.endsWith(`got ${got}`), `${call}: ${error.reason}`);
  }
  // Synchronous methods throw the same error.
  for (const [call, field] of [[() => a.domains(1), 'project']]) {
    assert.throws(call, (error) => error.code === 'ANCHOR_INVALID_INPUT' && error.field === field);
  }
  // Nothing was deployed by any of the refused calls.
  assert.equal((await a.history('shop')).items.length, 0);
});
