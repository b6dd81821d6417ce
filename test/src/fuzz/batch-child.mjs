// Runs many `envision` invocations in ONE node process, for the fuzz test: the built CLI's `main(argv, io)` with the
// process's own streams, so what onnxruntime prints natively to file descriptor 2 is seen as the binary would print
// it. Reads a JSON array of argument arrays on stdin; before each case writes a marker line to stderr (stderr is a
// pipe: synchronous on Linux, so native and JS writes stay in order); prints the exit codes as one JSON line.
import { readFileSync } from 'node:fs';
import { main } from '@envision/cli';

const cases = JSON.parse(readFileSync(0, 'utf8'));
const io = { stdout: () => {}, stderr: (t) => void process.stderr.write(t), isTTY: false };
const codes = [];
for (let i = 0; i < cases.length; i++) {
  process.stderr.write(`\u0001case ${i}\n`);
  codes.push(await main(cases[i], io));
  // deferred process warnings belong to this case
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
process.stderr.write('\u0001end\n');
process.stdout.write(JSON.stringify(codes) + '\n');
