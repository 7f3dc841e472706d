// Times rollbacks through the Node package `anchor-deploy` on an embedded
// state the benchmark harness seeded, and prints {"samples_ms": [...]}.
//
// Each rollback goes to whichever of --first and --second is not live,
// with invalidate: false. The --warmup rollbacks before the timed ones are
// not reported: the first reads the records, later ones start from the
// process's record cache. --package is the anchor-node folder with the
// built addon.

import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    package: { type: 'string' },
    state: { type: 'string' },
    project: { type: 'string' },
    first: { type: 'string' },
    second: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    iterations: { type: 'string' },
  },
});

const require = createRequire(import.meta.url);
const { Anchor } = require(path.resolve(args.package));

const anchor = await Anchor.local(args.state);
const active = await anchor.activeDeployment(args.project);
const targets = [args.first, args.second];
let live = active !== null && active.id === args.second ? 1 : 0;
const warmup = Number(args.warmup);
const iterations = Number(args.iterations);
const samples = [];
for (let i = 0; i < warmup + iterations; i += 1) {
  const target = targets[1 - live];
  const started = process.hrtime.bigint();
  await anchor.rollback(args.project, { toDeployment: target, invalidate: false });
  const elapsed = process.hrtime.bigint() - started;
  live = 1 - live;
  if (i >= warmup) samples.push(Number(elapsed) / 1e6);
}
process.stdout.write(`${JSON.stringify({ samples_ms: samples })}\n`);
