// sharp making issue 11's variants from one input buffer: one sharp(input), one clone() per
// variant (sharp's documented way to make several outputs of one input). Single-threaded
// (concurrency 1, and the clones are awaited one after another, as imgpipe makes its variants),
// cache off. Settings are imgpipe's for the bench's variants JSON, read from argv[2] with the
// same defaults (bench/variants_bench.py passes the JSON with every default filled in).
// Speaks the protocol in bench/peers/peer_protocol.h; `save` writes <name>.<variant>.<ext>.
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

// One variant's pipeline on a clone. `v` has every field (size, fit, format, quality,
// grayscale, without_enlargement).
function pipeline(base, v) {
  let p = base.clone().resize(v.size[0], v.size[1],
    { fit: v.fit, withoutEnlargement: v.without_enlargement });
  if (v.grayscale) p = p.grayscale().toColourspace('b-w');
  return v.format === 'webp' ? p.webp({ quality: v.quality }) : p.jpeg({ quality: v.quality });
}

async function main() {
  const variants = JSON.parse(process.argv[2]);
  const corpus = load(process.argv[3]);
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
        const base = sharp(data);
        for (const v of variants) outs.push(await pipeline(base, v).toBuffer());
      } catch (e) {
        ok = false;
      }
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (verb === 'save') {
        outs.forEach((out, i) => fs.writeFileSync(
          path.join(outdir, `${name}.${variants[i].name}.${variants[i].format === 'webp' ? 'webp' : 'jpg'}`),
          out));
      }
    }
    process.stdout.write(JSON.stringify({ ms, ok }) + '\n');
  }
}

main();
