// sharp peer (npm, pinned in bench/package.json), single-threaded, cache off.
// resize(256,256,{fit:'fill'}).grayscale().toColourspace('b-w').jpeg({quality:75})
// Speaks the protocol in bench/peers/peer_protocol.h (sharp_protocol.js).
'use strict';
const path = require('path');
const sharp = require(path.join(__dirname, '..', 'node_modules', 'sharp'));
const { serve } = require('./sharp_protocol');

sharp.concurrency(1);
sharp.cache(false);

serve(process.argv[2], async (data, outs) => {
  const out = ['jpg', Buffer.alloc(0)];  // a failed image is saved empty, so it is seen
  outs.push(out);
  out[1] = await sharp(data).resize(256, 256, { fit: 'fill' }).grayscale()
    .toColourspace('b-w').jpeg({ quality: 75 }).toBuffer();
});
