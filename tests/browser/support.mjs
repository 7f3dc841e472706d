// Support for the browser test: the inputs scripts/test-browser.sh passes,
// the Node package, the `serve` child process, and headless Chromium.
//
// Every wait here has a deadline and fails with a message naming what it
// waited for, so a broken edge server fails a step instead of hanging CI.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');

/** How long one step may wait: the first SSR request starts node workers. */
export const STEP_MS = 60_000;

/** Closes Chromium and stops serve, whichever were started; each within 15 s. */
export async function stopAll(chrome, serve) {
  if (chrome) {
    await deadline(chrome.browser.close(), 15_000, 'closing Chromium').catch(() => {});
    await deadline(chrome.server.close(), 15_000, 'stopping Chromium').catch(() => chrome.server.kill());
  }
  if (serve) await serve.stop(5_000);
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function deadline(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value of a required environment variable, or a message saying who sets it. */
export function required(variable, what) {
  const value = process.env[variable];
  if (!value) {
    throw new Error(`${variable} is not set (${what}); run scripts/test-browser.sh, which sets it`);
  }
  return value;
}

/** An OpenNext build of examples/nextjs-app named by `variable`. */
export function build(variable) {
  const dir = required(variable, 'an OpenNext build of examples/nextjs-app');
  if (!existsSync(path.join(dir, 'open-next.output.json'))) {
    throw new Error(`${variable}=${dir} is not an OpenNext build (no open-next.output.json)`);
  }
  return dir;
}

/** The Node package (anchor-node), loaded from its generated index.js. */
export function loadAnchor() {
  const pkg = path.join(repo, 'anchor-node');
  const hasAddon = existsSync(pkg) && readdirSync(pkg).some((f) => f.endsWith('.node'));
  if (!existsSync(path.join(pkg, 'index.js')) || !hasAddon) {
    throw new Error(
      `the Node addon is not built in ${pkg} (no index.js or *.node): run scripts/test-node.sh, ` +
        'or (cd anchor-node && npm ci && npx napi build --platform --dts index.d.ts --js index.js)',
    );
  }
  return createRequire(import.meta.url)(path.join(pkg, 'index.js'));
}

/**
 * The local edge server (`serve`) as a child process in its own process
 * group, so that stopping it also reaches the node workers it starts.
 * Its output goes to `logFile` and a tail is kept for failure messages.
 */
export class Serve {
  constructor(bin, args, logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    this.logFile = logFile;
    this.log = createWriteStream(logFile);
    this.tailLines = [];
    this.servingLines = [];
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.spawnError = new Promise((_, reject) => this.child.on('error', reject));
    this.spawnError.catch(() => {});
    // If the test process dies without its `after` hook, take the group along.
    this.onExit = () => this.killGroup('SIGKILL');
    process.on('exit', this.onExit);
    for (const [name, stream] of [['stdout', this.child.stdout], ['stderr', this.child.stderr]]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.log.write(`${name}: ${line}\n`);
        this.tailLines.push(`${name}: ${line}`);
        if (this.tailLines.length > 40) this.tailLines.shift();
        if (name === 'stdout' && line.startsWith('serving ')) {
          this.servingLines.push(line);
          this.onServing?.();
        }
      });
    }
  }

  /** The last lines serve printed, for failure messages. */
  tail() {
    return this.tailLines.length
      ? `last output of serve (full log: ${this.logFile}):\n  ${this.tailLines.join('\n  ')}`
      : `serve printed nothing (log: ${this.logFile})`;
  }

  /** Whether the child is still running. */
  running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for the `serving NAME at URL` line and returns the URL. */
  async url(project, ms) {
    const pattern = new RegExp(`^serving ${project} at (http://127\\.0\\.0\\.1:\\d+/)$`);
    const hit = () => this.servingLines.map((l) => l.match(pattern)).find(Boolean)?.[1];
    const found = new Promise((resolve) => {
      if (hit()) return resolve(hit());
      this.onServing = () => hit() && resolve(hit());
    });
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`serve exited (code ${code}, signal ${signal}) before it printed its URL`);
    });
    const what = `serve to print "serving ${project} at http://127.0.0.1:PORT/"`;
    return deadline(Promise.race([found, died, this.spawnError]), ms, what);
  }

  /** Sends `signal` to serve's whole process group; false if none is left. */
  killGroup(signal) {
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether any process of serve's group (serve or a worker) is alive. */
  groupAlive() {
    return this.killGroup(0);
  }

  /**
   * SIGTERM, then up to `ms` for serve to exit and its group to empty; then
   * SIGKILL to whatever is left. Returns what happened, for the test to judge.
   */
  async stop(ms) {
    const result = { exit: null, leftover: false, killed: false };
    if (this.pid === undefined || this.stopped) return this.stopped ?? result;
    this.stopped = result;
    if (this.running()) this.child.kill('SIGTERM');
    const end = Date.now() + ms;
    result.exit = await deadline(this.exited, ms, 'serve to exit after SIGTERM').catch(() => null);
    while (this.groupAlive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    result.leftover = this.groupAlive();
    if (result.exit === null || result.leftover) {
      result.killed = this.killGroup('SIGKILL');
      await deadline(this.exited, 5_000, 'serve to exit after SIGKILL').catch(() => {});
    }
    process.off('exit', this.onExit);
    await new Promise((resolve) => this.log.end(resolve));
    return result;
  }
}

/**
 * Launch arguments for Debian's Chromium on a machine with no network but
 * loopback: no background traffic (without these flags Chromium waits on
 * the closed network), no proxy, and a resolver that answers only
 * localhost names, so nothing the page does can leave the machine.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1',
];

/**
 * Starts headless Chromium through playwright-core's browser server, which
 * gives it a fresh temporary profile (--user-data-dir) and a process we can
 * kill by pid, and connects to it.
 */
export async function launchChromium(executablePath, ms) {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y --no-install-recommends chromium`);
  }
  const { chromium } = await import('playwright-core');
  const server = await chromium.launchServer({
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: ms,
  });
  try {
    const browser = await chromium.connect(server.wsEndpoint(), { timeout: ms });
    return { server, browser };
  } catch (error) {
    await server.kill();
    throw error;
  }
}
