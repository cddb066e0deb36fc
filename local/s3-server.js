'use strict';
// The local S3 endpoint: s3rver (SigV4-verifying, persisted to a directory) plus the input
// bucket's notification, in AWS's event shape, to the function (IMGPIPE_TRIGGER=direct) or to
// the SQS trigger's queue (sqs), or none at all (none). Runs until SIGTERM/SIGINT.

const fs = require('node:fs');
const { AsyncLocalStorage } = require('node:async_hooks');
const S3rver = require('@20minutes/s3rver');
const config = require('./lib/config');
const { toAwsRecord, matchesFilter } = require('./lib/s3_event');
const { EventOutbox } = require('./lib/event_outbox');
const { hasDotSegment } = require('./lib/dot_segments');

const cfg = config.load();
const log = (msg) => console.log(`${new Date().toISOString()} [s3-events] ${msg}`);

fs.mkdirSync(cfg.s3DataDir, { recursive: true });
const server = new S3rver({
  address: '127.0.0.1',
  port: cfg.s3Port,
  directory: cfg.s3DataDir,
  silent: true, // its console logger mangles paths; the access log below replaces it
  vhostBuckets: false,
  configureBuckets: [{ name: cfg.inputBucket }, { name: cfg.outputBucket }],
});
// s3rver checks signatures against a single built-in account (S3RVER/S3RVER).
if (cfg.accessKeyId !== 'S3RVER' || cfg.secretAccessKey !== 'S3RVER') {
  console.error('s3-server: s3rver 4.0.4 only accepts the S3RVER/S3RVER key pair');
  process.exit(2);
}

server.middleware.unshift(async (ctx, next) => {
  const t0 = Date.now();
  try {
    await next();
  } finally {
    console.log(`${new Date().toISOString()} [s3] ${ctx.method} ${ctx.url} ${ctx.status} ${Date.now() - t0}ms`);
  }
});

// s3rver 4.0.4 escapes XML text twice (he.escape, then its XML builder), so a listed key
// "a & b.jpg" reaches clients as "a &amp; b.jpg". Every text node goes through both steps, so
// undoing one level of '&amp;' yields exactly one correct level of escaping.
server.middleware.unshift(async (ctx, next) => {
  await next();
  if (typeof ctx.body === 'string' && ctx.body.startsWith('<?xml')) {
    ctx.body = ctx.body.replace(/&amp;/g, '&');
  }
});

// Refuse dot segments in the path and in a copy source before s3rver turns them into file paths.
server.middleware.unshift(async (ctx, next) => {
  const rawPath = ctx.url.split('?')[0];
  const copySource = ctx.get('x-amz-copy-source');
  if (hasDotSegment(rawPath) || (copySource && hasDotSegment(copySource.split('?')[0]))) {
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>' +
      '<Message>the local S3 server refuses keys and buckets with "." or ".." path segments' +
      '</Message></Error>';
    return;
  }
  await next();
});

// s3rver's event does not say which request raised it; the request context, kept across the
// await chain, tells a CompleteMultipartUpload (POST ?uploadId=) from a browser-form POST.
const requestContext = new AsyncLocalStorage();
server.middleware.unshift((ctx, next) => requestContext.run(ctx, next));

if (cfg.testSlowGetPrefix && cfg.testSlowGetMs > 0) {
  const slowPath = `/${cfg.inputBucket}/${cfg.testSlowGetPrefix}`;
  log(`TEST HOOK: GETs under ${slowPath} wait ${cfg.testSlowGetMs} ms`);
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method === 'GET' && decodeURIComponent(ctx.path).startsWith(slowPath)) {
      await new Promise((r) => setTimeout(r, cfg.testSlowGetMs));
    }
    return next();
  });
}

// Fault injection for the e2e tests only: the first IMGPIPE_TEST_FAIL_PUT_INVOCATIONS invocations
// that PUT this output key get HTTP 500 on every attempt. An invocation is told apart by the
// X-Amzn-Trace-Id root the function sends on each S3 request (a fresh one per invocation), so the
// S3 client's own retries within one invocation all fail, whatever their number, and the
// function sees a transient failure.
if (cfg.testFailPutKey && cfg.testFailPutInvocations > 0) {
  const failPath = `/${cfg.outputBucket}/${cfg.testFailPutKey}`;
  const failedInvocations = new Set();
  let untraced = 0;
  log(`TEST HOOK: PUTs of ${failPath} answer 500 for the first ${cfg.testFailPutInvocations} invocation(s)`);
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'PUT' || decodeURIComponent(ctx.path) !== failPath) return next();
    const root = (/Root=([^;]+)/.exec(ctx.get('x-amzn-trace-id')) || [])[1] || `untraced-${untraced++}`;
    if (!failedInvocations.has(root)) {
      if (failedInvocations.size >= cfg.testFailPutInvocations) return next();
      failedInvocations.add(root);
    }
    for await (const chunk of ctx.req) void chunk; // read the body before answering
    ctx.status = 500;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>' +
      '<Message>injected by IMGPIPE_TEST_FAIL_PUT_KEY</Message></Error>';
    log(`TEST HOOK: PUT ${failPath} → 500 (invocation ${root}, ` +
        `${failedInvocations.size} of ${cfg.testFailPutInvocations})`);
  });
}

// Where the notification goes: the Terraform module's `trigger`.
const destinations = {
  direct: {
    url: `${cfg.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(cfg.functionName)}/invocations`,
    headers: { 'X-Amz-Invocation-Type': 'Event' },
    acceptedStatus: 202,
    name: cfg.functionName,
  },
  sqs: {
    url: `${cfg.lambdaEndpoint}/_local/sqs/${encodeURIComponent(cfg.queueName)}`,
    acceptedStatus: 200,
    name: cfg.queueArn,
  },
};
const destination = destinations[cfg.trigger];
const outbox = destination ? new EventOutbox({ dir: cfg.pendingEventsDir, log, ...destination }) : null;

server.on('event', (event) => {
  const ctx = requestContext.getStore();
  for (const raw of event.Records) {
    if (raw.s3.bucket.name !== cfg.inputBucket || !raw.eventName.startsWith('ObjectCreated:')) {
      continue;
    }
    if (!outbox) {
      log(`no notification for ${JSON.stringify(raw.s3.object.key)}: IMGPIPE_TRIGGER=none`);
      continue;
    }
    if (!matchesFilter(raw.s3.object.key, cfg.filterPrefix, cfg.filterSuffixes)) {
      log(`skip ${JSON.stringify(raw.s3.object.key)}: outside the notification filter`);
      continue;
    }
    const record = toAwsRecord(raw, {
      region: cfg.region,
      configurationId: 'imgpipe-local-notification',
      isMultipartComplete: Boolean(ctx && ctx.method === 'POST' && ctx.query.uploadId),
      sourceIp: raw.requestParameters && raw.requestParameters.sourceIPAddress,
    });
    try {
      outbox.add({ Records: [record] }, record.s3.object.sequencer);
      log(`${record.eventName} ${record.s3.object.key} (${record.s3.object.size} bytes) → ${destination.name}`);
    } catch (err) {
      log(`cannot queue event for ${record.s3.object.key}: ${err.message}`);
    }
  }
});

async function main() {
  const address = await server.run();
  const resumed = outbox ? outbox.resumePending() : 0;
  log(`listening on http://127.0.0.1:${address.port}, buckets ${cfg.inputBucket} → ${cfg.outputBucket}, ` +
      `trigger ${cfg.trigger}` + (resumed ? `, re-delivering ${resumed} pending event(s)` : ''));
  const shutdown = async (sig) => {
    log(`${sig}: stopping`);
    if (outbox) outbox.stop();
    // close() waits for every open connection, and clients keep idle keep-alive sockets open
    // indefinitely: drop the idle ones now, and any still busy after a grace period.
    const closing = server.close().catch(() => {});
    server.httpServer.closeIdleConnections();
    const grace = setTimeout(() => server.httpServer.closeAllConnections(), 1000);
    await closing;
    clearTimeout(grace);
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`s3-server: ${err.stack || err}`);
  process.exit(1);
});
