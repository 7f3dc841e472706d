// Deploys and rolls back on the embedded default through the Node package,
// for scripts/test-http.sh: it prepares what `serve` serves, and its
// rollback is the suite's ANCHOR_ROLLBACK_CMD, run from another process
// while serve keeps running.
//
//   node tests/http/local-edge.mjs deploy STATE PROJECT BUILD...
//       creates PROJECT with the first build's routes (public files from
//       the object store, as on its distribution), then deploys each build
//       in turn; prints one line per deployment.
//   node tests/http/local-edge.mjs rollback STATE PROJECT
//       rolls PROJECT back to its previous deployment.

import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE = 'usage: local-edge.mjs deploy STATE PROJECT BUILD... | rollback STATE PROJECT';

function loadAnchor() {
  const pkg = path.join(repo, 'anchor-node');
  if (!existsSync(path.join(pkg, 'index.js')) || !readdirSync(pkg).some((f) => f.endsWith('.node'))) {
    throw new Error(
      `the Node addon is not built in ${pkg}: run scripts/test-node.sh, or ` +
        '(cd anchor-node && npm ci && npx napi build --platform --dts index.d.ts --js index.js)',
    );
  }
  return createRequire(import.meta.url)(path.join(pkg, 'index.js'));
}

async function main([command, state, project, ...builds]) {
  if (!state || !project) throw new Error(USAGE);
  const { Anchor } = loadAnchor();
  const anchor = await Anchor.local(state);
  if (command === 'deploy') {
    if (builds.length === 0) throw new Error(USAGE);
    await anchor.createProject(project, { buildDir: builds[0] });
    for (const build of builds) {
      const d = await anchor.deploy(project, build);
      console.log(`deployed ${build} as v${d.version} (${d.id}), ${d.status}`);
    }
  } else if (command === 'rollback') {
    if (builds.length) throw new Error(USAGE);
    const outcome = await anchor.rollback(project, { reason: 'HTTP acceptance suite' });
    console.log(`rolled back to v${outcome.to.version} (${outcome.to.id})`);
  } else {
    throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(`local-edge.mjs: ${error.code ? `${error.code}: ` : ''}${error.message}`);
  process.exit(1);
});
