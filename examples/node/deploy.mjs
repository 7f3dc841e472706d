// The quick start in Node: deploy the real OpenNext build of
// examples/nextjs-app to the embedded default, deploy the changed app,
// roll back, add a custom domain, validate it, and print the history.
//
// Usage: node examples/node/deploy.mjs [--v1 BUILD] [--v2 BUILD] [--state DIR]
//
// It imports the installed package `anchor-deploy` (npm install ./anchor-node,
// or the tarball `npm pack` makes there). Without --v1/--v2 it builds both
// versions with examples/build-nextjs.sh, which it finds beside this file
// or through ANCHOR_REPO.

import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const PROJECT = 'nextjs-app';
const DOMAIN = 'www.example.com';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The installed package: from the working folder (where `npm install`
 * put it), else from beside this file. */
function loadAnchor() {
  for (const base of [process.cwd(), here]) {
    try {
      return createRequire(path.join(base, 'index.js'))('anchor-deploy');
    } catch (error) {
      if (error.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new Error('cannot find the package anchor-deploy: run `npm install <anchor checkout>/anchor-node` here');
}

const { Anchor } = loadAnchor();
const repo = process.env.ANCHOR_REPO ?? path.resolve(here, '../..');

function buildApp(version, out) {
  const script = path.join(repo, 'examples/build-nextjs.sh');
  if (!existsSync(script)) {
    throw new Error(`no ${script}: pass --v1 and --v2, or set ANCHOR_REPO to the Anchor checkout`);
  }
  console.log(`==> building examples/nextjs-app (${version}) with next and @opennextjs/aws`);
  execFileSync(script, [out], { stdio: 'inherit', env: { ...process.env, ANCHOR_APP_VERSION: version } });
  return out;
}

/** A progress callback: one line per phase, and the upload's totals. */
function progressPrinter(label) {
  return (e) => {
    if (e.phase !== 'uploading') {
      if (e.done === 0) console.log(`    ${label} ${e.phase}...`);
    } else if (e.done === e.total) {
      console.log(`    ${label} uploaded ${e.done}/${e.total} files, ${Math.floor(e.bytesDone / 1024)} KiB`);
    }
  };
}

function summary(d) {
  const a = d.assets;
  console.log(`    deployment ${d.id} v${d.version} is ${d.status} (build ${d.buildId})`);
  console.log(
    `    assets: ${a.files} files, ${a.uploadedFiles} uploaded (${Math.floor(a.uploadedBytes / 1024)} KiB), ` +
      `${a.copiedFiles} copied server-side, ${a.skippedFiles} skipped`,
  );
  console.log(`    server ${d.serverVersion?.arn ?? '-'}  image ${d.imageVersion?.arn ?? '-'}`);
  console.log(`    invalidation: ${d.invalidationId ?? 'none needed'}`);
}

async function main(v1, v2, state) {
  rmSync(state, { recursive: true, force: true });
  console.log(`==> opening the embedded default in ${state}`);
  const anchor = await Anchor.local(state);
  // The build gives the project its CDN routes (public files are served).
  const project = await anchor.createProject(PROJECT, { buildDir: v1 });
  console.log(`    project ${project.name} -> distribution ${project.infrastructure.distributionDomain}`);

  console.log('==> deploying v1');
  summary(await anchor.deploy(PROJECT, v1, { onProgress: progressPrinter('v1') }));

  console.log('==> deploying v2 (the app changed)');
  const plan = await anchor.plan(PROJECT, v2);
  console.log(
    `    plan: ${plan.uploadFiles} to upload (${Math.floor(plan.uploadBytes / 1024)} KiB), ` +
      `${plan.copyFiles} to copy, ${plan.skipFiles} unchanged; ` +
      `server code ${plan.serverUnchanged ? 'unchanged' : 'changed'}, ` +
      `image code ${plan.imageUnchanged ? 'unchanged' : 'changed'}`,
  );
  summary(await anchor.deploy(PROJECT, v2, { onProgress: progressPrinter('v2') }));

  console.log('==> rolling back to v1');
  const started = performance.now();
  const rb = await anchor.rollback(PROJECT, { reason: 'quick start: back to v1' });
  console.log(
    `    rolled back from v${rb.event.fromVersion ?? 0} to v${rb.event.toVersion} in ` +
      `${rb.elapsedMs.toFixed(2)} ms (switch) / ${(performance.now() - started).toFixed(2)} ms (total), ` +
      'nothing re-uploaded',
  );

  console.log(`==> adding the domain ${DOMAIN}`);
  const domains = anchor.domains(PROJECT);
  let domain = await domains.add(DOMAIN);
  console.log('    add these DNS records at your DNS provider:');
  for (const r of [...domain.validationRecords, domain.routingRecord]) {
    console.log(`      ${r.name.padEnd(60)} ${r.recordType} ${r.value}`);
  }
  console.log(`    certificate ${domain.certificateId ?? '-'}: ${domain.certificateStatus}, cdn: ${domain.cdnStatus}`);

  console.log('==> validating (the local CA stands in for DNS validation)');
  if (domain.certificateId) await anchor.validateLocalCertificate(domain.certificateId);
  domain = await domains.refresh(DOMAIN);
  console.log(`    ${domain.name}: certificate ${domain.certificateStatus}, cdn ${domain.cdnStatus}`);

  console.log('==> history (newest first)');
  for (const d of (await anchor.history(PROJECT, { limit: 20 })).items) {
    console.log(`    v${String(d.version).padEnd(3)} ${d.status.padEnd(11)} ${d.id} build ${d.buildId} created ${d.createdAt}`);
  }
  for (const e of (await anchor.rollbackHistory(PROJECT, { limit: 20 })).items) {
    console.log(`    rollback v${e.fromVersion ?? 0} -> v${e.toVersion} at ${e.at} (${e.durationMs.toFixed(2)} ms): ${e.reason}`);
  }
  const live = await anchor.activeDeployment(PROJECT);
  if (!live) throw new Error('nothing live');
  console.log(`==> done: v${live.version} (${live.id}) is live; state kept in ${state}`);
}

const { values } = parseArgs({
  options: { v1: { type: 'string' }, v2: { type: 'string' }, state: { type: 'string' } },
});
const work = path.join(repo, 'target/anchor-quickstart');
const v1 = values.v1 ?? buildApp('v1', path.join(work, 'build-v1'));
const v2 = values.v2 ?? buildApp('v2', path.join(work, 'build-v2'));
await main(v1, v2, values.state ?? path.join(work, 'node-state'));
