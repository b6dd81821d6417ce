#!/usr/bin/env node
// Runs the whole test suite: builds the packages (the CLI tests spawn the built `envision` binary), runs vitest from
// the root with a JSON report, and ends with the plain line `N passed, N failed` that CI reads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false });

const build = run(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json']);
if (build.status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = join(mkdtempSync(join(tmpdir(), 'envision-test-')), 'vitest.json');
const vitest = run(process.execPath, [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  // A suite that fails as a whole (a syntax error, a throw at import) has no failed test of its own: count it once.
  const brokenSuites = (json.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && !(suite.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  failed = json.numFailedTests + Math.max(brokenSuites, json.numRuntimeErrorTestSuites ?? 0);
  if (json.numTotalTestSuites > 0 && json.numTotalTests === 0 && failed === 0) failed += 1;
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(vitest.status === 0 && failed === 0 ? 0 : 1);
