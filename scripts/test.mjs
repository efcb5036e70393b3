// `npm test`: the type check and the suite side by side. The type check (tsc over src, test and bench) takes
// ~40 s of one core; run first it added those seconds to every run, while the suite's two workers leave a
// core idle for much of their time (tests waiting on servers, clients and child processes). The exit code
// is the first failure's; the type check's output is printed after the suite's so that it is not interleaved.
// Arguments go to vitest (`npm test -- test/select`).
// npm puts node_modules/.bin on PATH for its scripts.
import { spawn } from 'node:child_process';

function run(command, args, stdio) {
  const child = spawn(command, args, { stdio, shell: process.platform === 'win32' });
  let output = '';
  child.stdout?.on('data', (chunk) => { output += chunk; });
  child.stderr?.on('data', (chunk) => { output += chunk; });
  const done = new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
  return { child, done };
}

const typeCheck = run('tsc', ['--noEmit', '-p', 'tsconfig.json'], ['ignore', 'pipe', 'pipe']);
const suite = run('vitest', ['run', ...process.argv.slice(2)], 'inherit');
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    typeCheck.child.kill(signal);
    suite.child.kill(signal);
  });
}

const [checked, tested] = await Promise.all([typeCheck.done, suite.done]);
if (checked.code === 0) process.stdout.write('\ntype check (tsc --noEmit -p tsconfig.json): no errors\n');
else process.stdout.write(`\ntype check (tsc --noEmit -p tsconfig.json) FAILED:\n${checked.output}\n`);
process.exit(tested.code !== 0 ? tested.code : checked.code);
