// A typed tour of the Node API, checked by `tsc --noEmit` in the test
// command (scripts/test-node.sh): every type here comes from the
// `index.d.ts` that `napi build --dts` generates.

import {
  Anchor,
  errorCodes,
  type Deployment,
  type DeploymentPage,
  type EdgeWorker,
  type LocalEdge,
  type Domain,
  type ProgressEvent,
  type RollbackOutcome,
} from 'anchor-deploy';

/** What a rejected call's error carries besides `message`. */
interface AnchorError extends Error {
  code: string;
  field?: string;
  retryable?: boolean;
}

const isAnchorError = (error: unknown): error is AnchorError =>
  error instanceof Error && typeof (error as { code?: unknown }).code === 'string';

export async function release(stateDir: string, buildDir: string): Promise<Deployment> {
  const anchor: Anchor = await Anchor.local(stateDir);
  await anchor.createProject('shop', { buildDir });
  const deployment = await anchor.deploy('shop', buildDir, {
    promote: true,
    onProgress: (event: ProgressEvent) => {
      if (event.phase === 'uploading') console.log(`${event.done}/${event.total}`);
    },
  });
  const status: 'live' | 'ready' | 'failed' | string = deployment.status;
  console.log(status, deployment.serverVersion?.arn ?? 'no server');
  return deployment;
}

export async function rollBackSafely(anchor: Anchor): Promise<RollbackOutcome | undefined> {
  try {
    return await anchor.rollback('shop', { reason: 'typed', toVersion: 1, invalidate: false });
  } catch (error) {
    if (isAnchorError(error) && errorCodes().includes(error.code)) {
      console.error(error.code, error.field ?? '', error.retryable ?? false);
      return undefined;
    }
    throw error;
  }
}

export async function newestFirst(anchor: Anchor): Promise<number[]> {
  const versions: number[] = [];
  let cursor: string | undefined;
  do {
    const page: DeploymentPage = await anchor.history('shop', { limit: 20, cursor });
    versions.push(...page.items.map((d) => d.version));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return versions;
}

export async function attach(anchor: Anchor, name: string): Promise<Domain> {
  const domains = anchor.domains('shop');
  const domain = await domains.add(name);
  for (const record of [...domain.validationRecords, domain.routingRecord]) {
    console.log(record.name, record.recordType, record.value); // an apex's route is an ALIAS record
  }
  const refreshed = await domains.refresh(name);
  console.log(refreshed.cdnStatus, refreshed.tenantId ?? '(no tenant yet)');
  return refreshed;
}

export async function openAws(): Promise<Anchor> {
  // Raise a domain limit only after raising its quota in Service Quotas.
  return Anchor.aws({
    bucket: 'my-assets',
    region: 'eu-west-1',
    maxAttempts: 5,
    domainLimits: { tenantsPerAccount: 20_000 },
  });
}

export async function openLocalInAliasMode(stateDir: string): Promise<Anchor> {
  return Anchor.local(stateDir, { domainMode: 'aliases', domainLimits: { namesPerCertificate: 2 } });
}

export async function serveLocally(anchor: Anchor): Promise<void> {
  const edge: LocalEdge = await anchor.serve('shop', { port: 3000, workersPerFunction: 2 });
  console.log(`live at ${edge.url}, v3 at ${edge.deploymentUrl(3)}`);
  const workers: EdgeWorker[] = edge.workers();
  console.log(workers.map((w) => `${w.function}:${w.version} pid ${w.pid}`));
  await edge.close();
}
