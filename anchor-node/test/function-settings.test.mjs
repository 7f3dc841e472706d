// Function settings on the embedded default with the real example build: a
// deploy with settings publishes versions that run with them, as the
// deployment's record shows; a bad value rejects with the core's typed
// error naming the key as the caller wrote it, and leaves the project's
// history as it was.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { anchor, buildV1, freshDir, rejection } from './support.mjs';

const { Anchor } = anchor;
const PROJECT = 'shop';

/** The architecture the build's image optimiser needs (its `sharp`). */
function neededByImage(build) {
  const img = path.join(build, 'image-optimization-function', 'node_modules', '@img');
  return fs.existsSync(path.join(img, 'sharp-linux-x64')) ? 'x86_64' : 'arm64';
}

const historyIds = async (a) => (await a.history(PROJECT)).items.map((d) => d.id);

test('a deploy with settings runs the new versions with them', async () => {
  const needed = neededByImage(buildV1());
  const a = await Anchor.local(path.join(freshDir('settings'), 'state'));
  await a.createProject(PROJECT);
  const deployed = await a.deploy(PROJECT, buildV1(), {
    functionSettings: {
      server: { memoryMb: 2048, timeoutSeconds: 30, architecture: 'arm64', runtime: 'nodejs22.x' },
      image: { memoryMb: 3008, architecture: needed },
    },
  });
  // Read back from the store, not just the deploy's answer.
  const record = await a.deployment(PROJECT, deployed.id);
  const { serverVersion: server, imageVersion: image } = record;
  assert.equal(server.memoryMb, 2048);
  assert.equal(server.timeoutSeconds, 30);
  assert.equal(server.architecture, 'arm64');
  assert.equal(server.runtime, 'nodejs22.x');
  // Keys left out take SST's defaults: the image's 25 s and nodejs24.x.
  assert.equal(image.memoryMb, 3008);
  assert.equal(image.timeoutSeconds, 25);
  assert.equal(image.architecture, needed);
  assert.equal(image.runtime, 'nodejs24.x');
  assert.deepEqual(record.serverVersion, deployed.serverVersion);

  // Without settings the next deploy keeps what the functions have.
  const again = await a.deploy(PROJECT, buildV1());
  assert.equal(again.serverVersion.memoryMb, 2048);
  assert.equal(again.serverVersion.timeoutSeconds, 30);
});

test('a bad value rejects naming the key and changes nothing', async () => {
  const a = await Anchor.local(path.join(freshDir('settings-bad'), 'state'));
  await a.createProject(PROJECT);
  const live = await a.deploy(PROJECT, buildV1());
  const before = await historyIds(a);
  const wrong = neededByImage(buildV1()) === 'x86_64' ? 'arm64' : 'x86_64';
  for (const [functionSettings, field] of [
    [{ server: { memoryMb: 64 } }, 'functionSettings.server.memoryMb'],
    [{ server: { memoryMb: -1 } }, 'functionSettings.server.memoryMb'],
    [{ server: { memoryMb: 1024.5 } }, 'functionSettings.server.memoryMb'],
    [{ image: { timeoutSeconds: 901 } }, 'functionSettings.image.timeoutSeconds'],
    [{ server: { runtime: 'python3.12' } }, 'functionSettings.server.runtime'],
    [{ server: { architecture: 'sparc' } }, 'functionSettings.server.architecture'],
    // An architecture the build's native code cannot run on.
    [{ image: { architecture: wrong } }, 'functionSettings.image.architecture'],
  ]) {
    const error = await rejection(a.deploy(PROJECT, buildV1(), { functionSettings }));
    assert.equal(error.code, 'ANCHOR_INVALID_INPUT', JSON.stringify(functionSettings));
    assert.equal(error.field, field);
  }
  assert.deepEqual(await historyIds(a), before);
  assert.equal((await a.activeDeployment(PROJECT)).id, live.id);
});

test('createProject creates the functions with the settings', async () => {
  const a = await Anchor.local(path.join(freshDir('settings-create'), 'state'));
  const bad = await rejection(
    a.createProject(PROJECT, { functionSettings: { server: { memoryMb: 10241 } } }),
  );
  assert.equal(bad.code, 'ANCHOR_INVALID_INPUT');
  assert.equal(bad.field, 'functionSettings.server.memoryMb');
  assert.equal((await rejection(a.project(PROJECT))).code, 'ANCHOR_NOT_FOUND');

  await a.createProject(PROJECT, { functionSettings: { server: { memoryMb: 512, timeoutSeconds: 10 } } });
  const first = await a.deploy(PROJECT, buildV1());
  assert.equal(first.serverVersion.memoryMb, 512);
  assert.equal(first.serverVersion.timeoutSeconds, 10);
  // The other keys take SST's defaults, not what the function had.
  const preview = await a.deploy(PROJECT, buildV1(), {
    promote: false,
    functionSettings: { server: { timeoutSeconds: 60 } },
  });
  assert.equal(preview.serverVersion.memoryMb, 1024);
  assert.equal(preview.serverVersion.timeoutSeconds, 60);
  assert.deepEqual(await historyIds(a), [preview.id, first.id]);
});
