import { describe, expect, it } from 'vitest';
import { BackgroundJobs } from './background-jobs.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BackgroundJobs', () => {
  it('starts jobs on a later turn, at most `concurrency` at once, in the order queued; drain waits for all', async () => {
    const jobs = new BackgroundJobs(2);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    for (let i = 0; i < 5; i++) {
      jobs.add(async () => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${i}`);
        await tick();
        await tick();
        log.push(`end ${i}`);
        running--;
      });
    }
    log.push('queued');
    await jobs.drain();
    expect(log[0]).toBe('queued');
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start 0', 'start 1', 'start 2', 'start 3', 'start 4']);
    expect(log.filter((l) => l.startsWith('end'))).toHaveLength(5);
    expect(most).toBe(2);
    await jobs.drain(); // nothing queued: returns at once
  });

  it('rethrows the first failure at drain, after the running jobs end, and starts no job queued after it', async () => {
    const jobs = new BackgroundJobs(1);
    const ran: number[] = [];
    jobs.add(async () => {
      ran.push(0);
      throw new Error('first');
    });
    jobs.add(async () => {
      ran.push(1);
      throw new Error('second');
    });
    await expect(jobs.drain()).rejects.toThrow('first');
    expect(ran).toEqual([0]);
  });
});
