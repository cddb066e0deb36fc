// sharp making issue 11's variants from one input buffer: one sharp(input), one clone() per
// variant (sharp's documented way to make several outputs of one input). Single-threaded
// (concurrency 1, and the clones are awaited one after another, as imgpipe makes its variants),
// cache off. Settings are imgpipe's for the bench's variants JSON, read from argv[2] with the
// same defaults (bench/variants_bench.py passes the JSON with every default filled in).
// Speaks the protocol in bench/peers/peer_protocol.h (sharp_protocol.js); `save` writes
// <name>.<variant>.<ext>.
'use strict';
const path = require('path');
const sharp = require(path.join(__dirname, '..', 'node_modules', 'sharp'));
const { serve } = require('./sharp_protocol');

sharp.concurrency(1);
sharp.cache(false);

// One variant's pipeline on a clone. `v` has every field (size, fit, format, quality,
// grayscale, without_enlargement).
function pipeline(base, v) {
  let p = base.clone().resize(v.size[0], v.size[1],
    { fit: v.fit, withoutEnlargement: v.without_enlargement });
  if (v.grayscale) p = p.grayscale().toColourspace('b-w');
  return v.format === 'webp' ? p.webp({ quality: v.quality }) : p.jpeg({ quality: v.quality });
}

const variants = JSON.parse(process.argv[2]);
serve(process.argv[3], async (data, outs) => {
  const base = sharp(data);
  for (const v of variants) {
    outs.push([`${v.name}.${v.format === 'webp' ? 'webp' : 'jpg'}`, await pipeline(base, v).toBuffer()]);
  }
});
