// Starts @20minutes/s3rver on 127.0.0.1 with an OS-chosen port for the S3 client tests.
//   node s3rver_main.js <node_modules dir> <data dir> <bucket>...
// Prints "LISTENING <port>" once ready. Exits when stdin closes (the test process ended, even
// by a crash) or on SIGTERM, so no server outlives its test.
'use strict';
const path = require('path');
const [modules, directory, ...buckets] = process.argv.slice(2);
const S3rver = require(path.join(modules, '@20minutes/s3rver'));

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});

const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

server.run().then(
  ({ port }) => process.stdout.write(`LISTENING ${port}\n`),
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err.stack || err}\n`);
    process.exit(1);
  },
);
