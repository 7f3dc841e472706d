// The AWS flow against a moto server on loopback: ANCHOR_MOTO_ENDPOINT
// names it (scripts/test.sh starts one). Without it the test is skipped,
// unless ANCHOR_REQUIRE_MOTO=1, which the test script sets so a missing
// server fails the run instead.
//
// moto accepts any key pair; the dummy ones set here name no account and
// reach only the loopback server.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { anchor, buildV1, buildV2 } from './support.mjs';

const { Anchor } = anchor;
const ENDPOINT = process.env.ANCHOR_MOTO_ENDPOINT;
const REQUIRED = process.env.ANCHOR_REQUIRE_MOTO === '1';
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

/** A request moto routes by service and region (it checks no signature). */
async function moto(method, path, { service, region = REGION, body, contentType } = {}) {
  const headers = {
    Authorization: `AWS4-HMAC-SHA256 Credential=moto/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  if (contentType) headers['Content-Type'] = contentType;
  const reply = await fetch(`${ENDPOINT}${path}`, { method, headers, body });
  const text = await reply.text();
  assert.ok(reply.ok, `${method} ${path}: ${reply.status} ${text}`);
  return text;
}

async function liveVersion(fn, alias) {
  const reply = await moto('GET', `/2015-03-31/functions/${fn}/aliases/${alias}`, { service: 'lambda' });
  return JSON.parse(reply).FunctionVersion;
}

async function distributionAliases(id) {
  const xml = await moto('GET', `/2020-05-31/distribution/${id}/config`, { service: 'cloudfront', region: 'us-east-1' });
  const aliases = xml.match(/<Aliases>[\s\S]*?<\/Aliases>/)?.[0] ?? '';
  return [...aliases.matchAll(/<CNAME>([^<]+)<\/CNAME>/g)].map((m) => m[1]);
}

test('deploy, roll back and attach a domain on AWS (moto)', { skip: !ENDPOINT && !REQUIRED && 'ANCHOR_MOTO_ENDPOINT is not set' }, async () => {
  assert.ok(ENDPOINT, 'ANCHOR_REQUIRE_MOTO=1 but ANCHOR_MOTO_ENDPOINT is not set');
  await moto('POST', '/moto-api/reset', { service: 's3' });
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  await moto('POST', '/', {
    service: 'iam',
    region: 'us-east-1',
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'anchor-node-test',
      AssumeRolePolicyDocument: policy,
    }).toString(),
  });
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete process.env[name];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'moto',
    AWS_SECRET_ACCESS_KEY: 'moto',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Test-only: moto's DynamoDB transactions are not atomic, so the
    // addon serialises its state writes (not a public option).
    ANCHOR_TEST_SERIALIZE_STATE_WRITES: '1',
  });

  const a = await Anchor.aws({
    bucket: 'anchor-node-test',
    region: REGION,
    endpointUrl: ENDPOINT,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/anchor-node-test`,
    // moto has no CloudFront Functions, KeyValueStore or cache policies;
    // the Rust tests cover the router with a stand-in.
    edgeRouter: false,
  });
  const project = await a.createProject('shop', { buildDir: buildV1() });
  const { serverFunction, imageFunction, alias, distributionId } = project.infrastructure;

  const d1 = await a.deploy('shop', buildV1());
  assert.equal(d1.status, 'live');
  assert.equal(await liveVersion(serverFunction, alias), d1.serverVersion.version);
  assert.equal(await liveVersion(imageFunction, alias), d1.imageVersion.version);

  const d2 = await a.deploy('shop', buildV2());
  assert.equal(d2.status, 'live');
  assert.ok(d2.assets.copiedFiles + d2.assets.skippedFiles > 0, 'nothing S3 holds is sent again');
  assert.equal(await liveVersion(serverFunction, alias), d2.serverVersion.version);

  const back = await a.rollback('shop', { reason: 'moto' });
  assert.equal(back.to.id, d1.id);
  assert.equal(back.event.fromVersion, 2);
  assert.equal(await liveVersion(serverFunction, alias), d1.serverVersion.version);
  assert.equal(await liveVersion(imageFunction, alias), d1.imageVersion.version);
  assert.equal((await a.activeDeployment('shop')).id, d1.id);
  assert.deepEqual((await a.rollbackHistory('shop')).items.map((e) => e.toVersion), [1]);

  const domains = a.domains('shop');
  let domain = await domains.add('www.example.com');
  assert.match(domain.certificateId, /^arn:aws:acm:us-east-1:/);
  assert.ok(domain.validationRecords.length > 0);
  for (let i = 0; i < 60 && domain.cdnStatus !== 'active'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    domain = await domains.refresh('www.example.com');
  }
  assert.equal(domain.certificateStatus, 'issued');
  assert.equal(domain.cdnStatus, 'active');
  assert.deepEqual(await distributionAliases(distributionId), ['www.example.com']);

  await domains.remove('www.example.com');
  assert.deepEqual(await domains.list(), []);
  assert.deepEqual(await distributionAliases(distributionId), []);
});

// Every core error reaches JS with its field in camelCase, not only the
// ones the binding checks itself: the AWS provisioner's missing role is
// `execution_role_arn` in the core and `executionRoleArn` here (it was
// passed through in snake_case before).
test('a core refusal names the JS option (executionRoleArn)', { skip: !ENDPOINT && !REQUIRED && 'ANCHOR_MOTO_ENDPOINT is not set' }, async () => {
  assert.ok(ENDPOINT, 'ANCHOR_REQUIRE_MOTO=1 but ANCHOR_MOTO_ENDPOINT is not set');
  const a = await Anchor.aws({ bucket: 'anchor-node-no-role', region: REGION, endpointUrl: ENDPOINT, edgeRouter: false });
  await assert.rejects(a.createProject('norole', { buildDir: buildV1() }), (error) => {
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT');
    assert.equal(error.field, 'executionRoleArn');
    return true;
  });
});
