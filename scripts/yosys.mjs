// SPDX-License-Identifier: Apache-2.0
// Runs Yosys (YoWASP's WebAssembly build, installed by scripts/synth.sh) on files in a virtual
// file system: node yosys.mjs MODULES_DIR "SCRIPT" FILE... ; files the script writes with
// `tee -o NAME` are printed afterwards. Exit status is Yosys's.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { basename, join, resolve } from 'path';
import { pathToFileURL } from 'url';

const [modules, script, ...inputs] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'package.json'));
const { runYosys } = await import(pathToFileURL(require.resolve('@yowasp/yosys')).href);
const files = {};
for (const f of inputs) files[basename(f)] = readFileSync(f, 'utf8');
const err = (b) => b && process.stderr.write(b);
let out;
try {
  out = await runYosys(['-q', '-p', script], files, { stdout: err, stderr: err });
} catch (e) {
  if (e.code === undefined) throw e;
  process.exit(e.code);
}
for (const [name, content] of Object.entries(out ?? {})) {
  if (!(name in files) && typeof content !== 'object') process.stdout.write(content);
}
