// Every field of every record the core returns arrives in JS.
//
// The core keeps one filled sample of each record and result
// (anchor_core::calls::samples); `_samples()` converts each as the methods
// do and `_sampleJson()` gives the core's JSON of it. The keys must match
// at every depth (camelCase here, snake_case there), all filled. A field
// added in core and not here, or dropped from a record, fails this test.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { anchor } from './support.mjs';

/** `timeout_seconds` → `timeoutSeconds`: the JS name of a core key. */
const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/**
 * The names JS spells differently from the core, besides the case: none
 * (`timeoutSecs` was one until the core took `timeout_seconds`).
 */
const SAME_NAME = {};

/**
 * The core's JSON in the shape the JS records have: camelCase keys, and
 * the core's two tagged enums flattened (a switch's `kind: {kind, reason}`
 * is `kind` and `reason`; an asset's `action: {action, from}` is `action`
 * and `copyFrom`).
 */
function jsShape(value) {
  if (Array.isArray(value)) return value.map(jsShape);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'kind' && inner && typeof inner === 'object') {
      out.kind = inner.kind;
      out.reason = inner.reason ?? null;
    } else if (key === 'action' && inner && typeof inner === 'object') {
      out.action = inner.action;
      out.copyFrom = inner.from ?? null;
    } else {
      const name = camel(key);
      out[SAME_NAME[name] ?? name] = jsShape(inner);
    }
  }
  return out;
}

/** Where `ours` lacks a key of `core`, has one it lacks, or is empty where the core is filled. */
function differences(core, ours, path) {
  if (core !== null && (ours === null || ours === undefined)) return [`${path} is ${ours}`];
  if (Array.isArray(core)) {
    if (!Array.isArray(ours) || ours.length !== core.length) return [`${path} is not a list of ${core.length}`];
    return core.flatMap((item, i) => differences(item, ours[i], `${path}[${i}]`));
  }
  if (core === null || typeof core !== 'object') return [];
  const theirs = Object.keys(core);
  const mine = Object.keys(ours);
  return [
    ...theirs.filter((k) => !mine.includes(k)).map((k) => `${path}.${k} is missing`),
    ...mine.filter((k) => !theirs.includes(k)).map((k) => `${path}.${k} is not in the core`),
    ...theirs.filter((k) => mine.includes(k)).flatMap((k) => differences(core[k], ours[k], `${path}.${k}`)),
  ];
}

test('every type the core samples is converted', () => {
  assert.deepEqual(Object.keys(anchor._samples()).sort(), Object.keys(anchor._sampleJson()).sort());
});

test('every field of every sample arrives', () => {
  const converted = anchor._samples();
  const problems = Object.entries(anchor._sampleJson()).flatMap(([name, json]) =>
    differences(jsShape(JSON.parse(json)), converted[name], name),
  );
  assert.deepEqual(problems, []);
});

test('values arrive typed', () => {
  const { RollbackOutcome: outcome, DeployPlan: plan, Project: project } = anchor._samples();
  assert.equal(outcome.elapsedMs, 41.5);
  assert.equal(outcome.from.serverVersion.timeoutSeconds, 20);
  assert.equal(plan.functionSettings.server.timeoutSeconds, 20);
  assert.equal(plan.serverArchitecture, 'arm64');
  assert.deepEqual([project.lastSwitch.kind, project.lastSwitch.reason], ['rollback', 'sample reason']);
  assert.equal(plan.assets[0].copyFrom, 'shop/deployments/0/favicon.ico');
});
