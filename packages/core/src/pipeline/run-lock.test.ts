import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, PREVIOUS_MANIFEST, lockRunFolder } from './run-lock.js';
import { earlierRunFiles } from './stale-files.js';

const temp = () => mkdtempSync(join(tmpdir(), 'envision-lock-'));
/** The pid of a process that has exited (so no process has it, barring reuse in the next instant). */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('lockRunFolder', () => {
  it('creates the folder and a lock naming this process; release removes both when nothing else was written', async () => {
    const out = join(temp(), 'run');
    const lock = await lockRunFolder(out);
    const held = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8'));
    expect(held).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a folder a live run holds, naming it, and leaves its lock alone', async () => {
    const out = join(temp(), 'run');
    const first = await lockRunFolder(out);
    await expect(lockRunFolder(out)).rejects.toThrow(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is being written by another run \\(pid ${process.pid}, since \\d{4}-`));
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    await first.release();
  });

  it('takes over a lock whose process is gone, and keeps a folder that holds other files', async () => {
    const out = temp();
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: Number(deadPid()), host: hostname(), since: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const lock = await lockRunFolder(out);
    expect(JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it("refuses a lock from another machine (its pid cannot be checked here)", async () => {
    const out = temp();
    writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', since: 'x' }));
    await expect(lockRunFolder(out)).rejects.toThrow(/is being written by another run \(pid 1 on elsewhere\.example, since x\)/);
  });

  it("moves the earlier manifest aside before any data is written; its files are still the earlier run's", async () => {
    const out = temp();
    mkdirSync(join(out, 'img'));
    const manifest = { format: 'envision-run/1', items: [{ npy: 'img/old.npy', overlays: [] }], perDimension: [], figures: [] };
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
    const lock = await lockRunFolder(out);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, PREVIOUS_MANIFEST), 'utf8'))).toEqual(manifest);
    expect([...(await earlierRunFiles(out))]).toEqual(['img/old.npy']);
    await lock.release();
  });
});
