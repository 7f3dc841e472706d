// Shared test support: the built addon, the real OpenNext builds of
// examples/nextjs-app, and fresh state folders.
//
// scripts/test-node.sh builds the addon and sets ANCHOR_NEXTJS_BUILD (v1)
// and ANCHOR_NEXTJS_BUILD_V2 (v2); a test that needs a build fails without
// them rather than passing vacuously.

import { createRequire } from 'node:module';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The package under test, loaded through its generated `index.js`. */
export const anchor = require('../index.js');

/** The folder of the OpenNext build named by `variable`. */
function build(variable) {
  const value = process.env[variable];
  if (!value) {
    throw new Error(`${variable} is not set: run scripts/test-node.sh, which builds examples/nextjs-app`);
  }
  if (!existsSync(path.join(value, 'open-next.output.json'))) {
    throw new Error(`${variable}=${value} is not an OpenNext build (no open-next.output.json)`);
  }
  return value;
}

/** The real OpenNext build of the example app, version 1. */
export const buildV1 = () => build('ANCHOR_NEXTJS_BUILD');

/** The same app changed, version 2. */
export const buildV2 = () => build('ANCHOR_NEXTJS_BUILD_V2');

/** A new empty folder for one test's state. */
export function freshDir(label) {
  return mkdtempSync(path.join(tmpdir(), `anchor-node-${label}-`));
}

/** Awaits `promise` and returns what it rejected with; fails if it resolved. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Lets queued main-thread callbacks (such as progress events) run. */
export const drain = () => new Promise((resolve) => setImmediate(resolve));
