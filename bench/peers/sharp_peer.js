// sharp peer (npm, pinned in bench/package.json), single-threaded, cache off.
// resize(256,256,{fit:'fill'}).grayscale().toColourspace('b-w').jpeg({quality:75})
// Speaks the protocol in bench/peers/peer_protocol.h.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const sharp = require(path.join(__dirname, '..', 'node_modules', 'sharp'));

sharp.concurrency(1);
sharp.cache(false);

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

async function main() {
  const corpus = load(process.argv[2]);
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [verb, cls, outdir] = line.trim().split(/\s+/);
    if (verb === 'quit') break;
    const ms = [];
    let ok = true;
    for (const [name, data] of corpus[cls] || []) {
      const start = process.hrtime.bigint();
      let out = Buffer.alloc(0);
      try {
        out = await sharp(data).resize(256, 256, { fit: 'fill' }).grayscale()
          .toColourspace('b-w').jpeg({ quality: 75 }).toBuffer();
      } catch (e) {
        ok = false;
      }
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (verb === 'save') fs.writeFileSync(path.join(outdir, `${name}.jpg`), out);
    }
    process.stdout.write(JSON.stringify({ ms, ok }) + '\n');
  }
}

main();
