import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bin, envision, root, useTempDir } from './cli.js';
import { expectSameRun, tinyRunFiles } from './run-folder.test-support.js';

// Distributed runs on BullMQ + Redis (issue 17, item 4): `envision run --queue` and `envision worker`, against a
// throwaway redis-server on a loopback port: CI's (.ci/run starts one and names it in ENVISION_TEST_REDIS_URL), else
// one started and stopped here. The tiny dual encoder, 2 images × 2 methods = 4 items (image × method), 2 targets each.
const given = process.env.ENVISION_TEST_REDIS_URL;
const hasRedis = given !== undefined || spawnSync('redis-server', ['--version']).status === 0;
const temp = useTempDir('envision-queue-');
const { experiment, referenceRun } = tinyRunFiles(temp);

/** A TCP port free on the loopback interface right now. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let port = 0;
let url = '';
const started: ChildProcess[] = [];

beforeAll(async () => {
  if (given !== undefined) {
    url = given; // CI's server: used, never shut down here
    return;
  }
  if (!hasRedis) return;
  port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  const dir = join(temp(), 'redis');
  mkdirSync(dir);
  const r = spawnSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--logfile', join(dir, 'redis.log'), '--dir', dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  for (let k = 0; k < 100 && spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; k++) await new Promise((res) => setTimeout(res, 50));
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (port !== 0) spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
});

/** Short locks, so that a killed worker's item is taken over within seconds. */
const tuned = { ...process.env, FORCE_COLOR: '0', ENVISION_QUEUE_LOCK_MS: '2000', ENVISION_QUEUE_STALLED_MS: '1000' };

interface Running {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the envision binary in the background (killed in afterAll if still running). */
function start(args: readonly string[]): Running {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: tuned, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const running: Running = { child, stdout: '', stderr: '', exited: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))) };
  child.stdout!.on('data', (d: Buffer) => (running.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (running.stderr += d.toString()));
  return running;
}

/** Resolves once `test` holds of a process's output (polled), or fails after `ms`. */
async function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a worker gracefully (SIGTERM) and waits for it. */
async function stopWorker(w: Running): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await w.exited;
}


/** The items a worker computed to the end, from its log lines (`envision worker: IMAGE/METHOD done …`). */
const doneBy = (w: Running): string[] => [...w.stderr.matchAll(/^envision worker: (\S+) done /gm)].map((m) => m[1]!);


describe.skipIf(!hasRedis)(`envision run --queue and envision worker (BullMQ on a loopback redis-server)${hasRedis ? '' : ': skipped, the redis-server binary is not installed (apt-get install redis-server; .ci/run installs it)'}`, () => {
  it('two envision worker processes compute the queued items; the run collects files identical to a local run', async () => {
    const ref = referenceRun();
    const workers = [start(['worker', '--queue', url]), start(['worker', '--queue', url])];
    const out = join(temp(), 'two-workers');
    const run = start(['run', experiment('two-workers', out), '--queue', url, '--json']);
    const { code } = await run.exited;
    expect(code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/"event":"queued","queue":"redis:\/\/127\.0\.0\.1:\d+","added":4,"existing":0/);
    await Promise.all(workers.map(stopWorker));
    const done = workers.flatMap(doneBy);
    expect(done.sort()).toEqual(['cxr-a/occlusion', 'cxr-a/saliency', 'cxr-b/occlusion', 'cxr-b/saliency']);
    expectSameRun(ref, out);
  });

  it('a worker SIGKILLed mid-item: another worker takes the item over (stalled job) and the run completes, identical', async () => {
    const ref = referenceRun();
    const out = join(temp(), 'killed');
    const first = start(['worker', '--queue', url]);
    await until('the first worker', () => first.stderr.includes('waiting for items'));
    const run = start(['run', experiment('killed', out), '--queue', url, '--json']);
    await until('an item started', () => /^envision worker: \S+ started/m.test(first.stderr));
    first.child.kill('SIGKILL');
    await first.exited;
    const killedItem = /^envision worker: (\S+) started/m.exec(first.stderr)![1]!;
    expect(doneBy(first)).not.toContain(killedItem);
    const second = start(['worker', '--queue', url]);
    const { code } = await run.exited;
    expect(code, run.stderr).toBe(0);
    await stopWorker(second);
    expect(doneBy(second)).toContain(killedItem);
    expect([...doneBy(first), ...doneBy(second)].sort()).toEqual(['cxr-a/occlusion', 'cxr-a/saliency', 'cxr-b/occlusion', 'cxr-b/saliency']);
    expectSameRun(ref, out);
  });

  it('a run re-submitted after its submitter died adds no job twice: each item is computed once, output identical', async () => {
    const ref = referenceRun();
    const out = join(temp(), 'resubmit');
    const file = experiment('resubmit', out);
    const first = start(['run', file, '--queue', url, '--json']);
    await until('the items enqueued', () => first.stdout.includes('"event":"queued"'));
    expect(first.stdout).toContain('"added":4,"existing":0');
    first.child.kill('SIGKILL');
    await first.exited;
    const again = start(['run', file, '--queue', url, '--json', '--resume']);
    await until('the items re-submitted', () => again.stdout.includes('"event":"queued"'));
    expect(again.stdout).toContain('"added":0,"existing":4');
    const worker = start(['worker', '--queue', url]);
    const { code } = await again.exited;
    expect(code, again.stderr).toBe(0);
    await stopWorker(worker);
    expect(doneBy(worker).sort()).toEqual(['cxr-a/occlusion', 'cxr-a/saliency', 'cxr-b/occlusion', 'cxr-b/saliency']);
    expectSameRun(ref, out);
  });

  it('an item that fails in the worker is retried (3 attempts) and then reported in one line; the rest of the run completes, exit 2', async () => {
    const bad = join(temp(), 'cxr-q.png');
    writeFileSync(bad, 'hello, I am text'); // hashed when planned, fails when the worker decodes it
    const out = join(temp(), 'failing');
    const worker = start(['worker', '--queue', url]);
    const run = start(['run', experiment('failing', out, { images: ['cxr-a', bad] }), '--queue', url]);
    const { code } = await run.exited;
    await stopWorker(worker);
    expect(code, run.stderr).toBe(2);
    for (const method of ['occlusion', 'saliency']) {
      const attempts = [...worker.stderr.matchAll(new RegExp(`^envision worker: cxr-q/${method} failed \\(attempt (\\d) of 3\\): E_IMAGE `, 'gm'))].map((m) => m[1]);
      expect(attempts, worker.stderr).toEqual(['1', '2', '3']);
    }
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('envision run: item '));
    expect(lines.sort()).toEqual([
      expect.stringMatching(/^envision run: item cxr-q\/occlusion failed: cannot read image .*cxr-q\.png: not an image .*\(3 attempts on the queue\)$/),
      expect.stringMatching(/^envision run: item cxr-q\/saliency failed: cannot read image .*cxr-q\.png: not an image .*\(3 attempts on the queue\)$/),
    ]);
    expect(doneBy(worker).sort()).toEqual(['cxr-a/occlusion', 'cxr-a/saliency']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.items).toHaveLength(4);
    expect(manifest.failed.map((f: { item: string; code: string }) => `${f.item} ${f.code}`)).toEqual(['cxr-q/occlusion E_IMAGE', 'cxr-q/saliency E_IMAGE']);
    expect(existsSync(join(out, '.envision-journal/failed/cxr-q/occlusion.json'))).toBe(true);
  });

  it('an experiment whose files a worker cannot see: one line on the run, exit 2, no retry', async () => {
    const out = join(temp(), 'unseen');
    const file = experiment('unseen', out);
    const run = start(['run', file, '--queue', url, '--json']);
    await until('the items enqueued', () => run.stdout.includes('"event":"queued"'));
    renameSync(file, `${file}.hidden`); // the submitter has loaded it; the worker will not find it
    const worker = start(['worker', '--queue', url]);
    const { code } = await run.exited;
    await stopWorker(worker);
    expect(code, run.stderr).toBe(2);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toMatch(/^envision run: .*unseen\.yaml/);
    expect(worker.stderr).not.toMatch(/attempt 2/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('bad queue URLs and an unreachable Redis: one line, exit 2, for run and worker', async () => {
    const file = experiment('bad-url', join(temp(), 'bad-url'));
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const cases: [string[], RegExp][] = [
      [['run', file, '--queue', 'http://127.0.0.1:6379'], /^envision run: --queue wants a redis:\/\/ URL/],
      [['run', file, '--queue', 'redis://127.0.0.1:6379/db'], /^envision run: --queue database must be a number/],
      [['run', file, '--queue', 'not a url'], /^envision run: --queue wants redis:\/\/HOST:PORT\[\/DB\]/],
      [['worker', '--queue', 'redis://'], /^envision worker: --queue /],
      [['worker', '--queue', url, '--concurrency', '0'], /^envision worker: --concurrency must be an integer/],
      [['run', file, '--queue', closed], /^envision run: cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:\d+: /],
      [['worker', '--queue', closed], /^envision worker: cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:\d+: /],
    ];
    for (const [args, message] of cases) {
      const r = envision(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
