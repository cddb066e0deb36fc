// The peer protocol of bench/peers/peer_protocol.h for the sharp peers: loads the corpus (one
// folder per class), then answers `run CLASS` and `save CLASS DIR` lines with the ms per image
// of `work`, and stops at `quit`. `work(data, outs)` makes one image's outputs, pushing
// [suffix, buffer] pairs into `outs`; `save` writes each as <name>.<suffix>, and a throw marks
// the pass failed (what was pushed before it is still saved).
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

function load(root) {
  const corpus = {};
  for (const cls of fs.readdirSync(root).sort()) {
    const dir = path.join(root, cls);
    if (!fs.statSync(dir).isDirectory()) continue;
    corpus[cls] = fs.readdirSync(dir).filter((f) => !f.endsWith('.json')).sort()
      .map((f) => [path.parse(f).name, fs.readFileSync(path.join(dir, f))]);
  }
  return corpus;
}

async function serve(root, work) {
  const corpus = load(root);
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [verb, cls, outdir] = line.trim().split(/\s+/);
    if (verb === 'quit') break;
    const ms = [];
    let ok = true;
    for (const [name, data] of corpus[cls] || []) {
      const start = process.hrtime.bigint();
      const outs = [];
      try {
        await work(data, outs);
      } catch (e) {
        ok = false;
      }
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (verb === 'save') {
        for (const [suffix, out] of outs) fs.writeFileSync(path.join(outdir, `${name}.${suffix}`), out);
      }
    }
    process.stdout.write(JSON.stringify({ ms, ok }) + '\n');
  }
}

module.exports = { serve };
