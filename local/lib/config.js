'use strict';
// One place for every setting of the local stack, read from the environment. stack.sh, the S3
// server and the Lambda service all take their defaults from here so they can never disagree.

const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
// How uploads reach the function, as the Terraform module's `trigger` (plus `none`: a bucket
// without notification, as before a deployment; `make backfill` covers what it holds).
const TRIGGERS = ['direct', 'sqs', 'none'];

// Each entry: environment name, default, what it is. `describe()` prints this table for docs/--help.
const SETTINGS = [
  ['IMGPIPE_STATE_DIR', path.join(REPO_ROOT, 'local', '.state'), 'pid files, logs, S3 data, dead letters'],
  ['IMGPIPE_S3_PORT', '4569', 'S3 server port on 127.0.0.1'],
  ['IMGPIPE_LAMBDA_PORT', '9001', 'Lambda Invoke API port on 127.0.0.1'],
  ['IMGPIPE_INPUT_BUCKET', 'imgpipe-input', 'bucket whose uploads invoke the function'],
  ['IMGPIPE_OUTPUT_BUCKET', 'imgpipe-output', 'bucket the function writes to (its OUTPUT_BUCKET)'],
  ['IMGPIPE_REGION', 'us-east-1', 'region in ARNs, events and the function env'],
  ['IMGPIPE_ACCESS_KEY_ID', 'S3RVER', 'the only access key the S3 server accepts'],
  ['IMGPIPE_SECRET_ACCESS_KEY', 'S3RVER', 'its secret (SigV4 is verified)'],
  ['IMGPIPE_FUNCTION_NAME', 'imgpipe', 'function name for the Invoke API'],
  ['IMGPIPE_LAMBDA_ZIP', path.join(REPO_ROOT, 'dist', 'lambda.zip'), 'the deployment package, unzipped at start'],
  ['IMGPIPE_BOOTSTRAP', '', 'run this executable instead of the zip\'s bootstrap (stand-ins, debugging)'],
  ['IMGPIPE_WORKERS', '2', 'concurrent execution environments (one invocation at a time each)'],
  ['IMGPIPE_TIMEOUT_S', '30', 'per-invocation timeout; the worker is killed and restarted'],
  ['IMGPIPE_MAX_RETRIES', '2', 'async retries after the first attempt (Lambda: 0..2)'],
  ['IMGPIPE_RETRY_DELAYS_MS', '1000,2000', 'backoff before retry 1, 2, ...'],
  ['IMGPIPE_TRIGGER', 'direct', 'S3 → function: direct (async Invoke), sqs (S3 → queue → batches) or none'],
  ['IMGPIPE_SQS_BATCH_SIZE', '10', 'sqs trigger: most messages per invocation (batch_size)'],
  ['IMGPIPE_SQS_BATCH_WINDOW_S', '0.5', 'sqs trigger: wait this long to fill a batch (maximum_batching_window)'],
  ['IMGPIPE_SQS_VISIBILITY_TIMEOUT_S', '', 'sqs trigger: a received message comes back after this (default 6 × timeout + window)'],
  ['IMGPIPE_SQS_MAX_RECEIVE_COUNT', '3', 'sqs trigger: receives before a message goes to the dead-letter file'],
  ['IMGPIPE_SQS_MAX_CONCURRENCY', '', 'sqs trigger: most batches at once (maximum_concurrency; default: workers)'],
  ['IMGPIPE_FILTER_PREFIX', '', 'notification filter: key prefix'],
  ['IMGPIPE_FILTER_SUFFIXES', '.jpg,.jpeg,.png,.webp,.gif,.heic,.heif,.avif,.JPG,.JPEG,.PNG,.WEBP,.GIF,.HEIC,.HEIF,.AVIF',
    'notification filter: key suffixes, comma-separated, any matches (empty: all)'],
  ['IMGPIPE_FN_<NAME>', '', 'sets <NAME> in the function env (e.g. IMGPIPE_FN_QUALITY=80)'],
];

function env(name, fallback) {
  const v = process.env[name];
  return v === undefined ? fallback : v;
}

// `raw` overrides the environment's value (for settings whose default derives from others).
function intSetting(name, fallback, min, raw = env(name, fallback)) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name}=${raw}: expected an integer >= ${min}`);
  }
  return n;
}

function numberSetting(name, fallback, min, raw = env(name, fallback)) {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: expected a number >= ${min}`);
  return n;
}

function listSetting(name, fallback) {
  return env(name, fallback).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function load() {
  const defaults = Object.fromEntries(SETTINGS.map(([n, d]) => [n, d]));
  const stateDir = path.resolve(env('IMGPIPE_STATE_DIR', defaults.IMGPIPE_STATE_DIR));
  const retryDelaysMs = listSetting('IMGPIPE_RETRY_DELAYS_MS', defaults.IMGPIPE_RETRY_DELAYS_MS)
    .map((s) => {
      const n = Number(s);
      if (!Number.isFinite(n) || n < 0) throw new Error(`IMGPIPE_RETRY_DELAYS_MS: bad delay ${s}`);
      return n;
    });
  const maxRetries = intSetting('IMGPIPE_MAX_RETRIES', defaults.IMGPIPE_MAX_RETRIES, 0);
  if (maxRetries > 0 && retryDelaysMs.length === 0) {
    throw new Error('IMGPIPE_RETRY_DELAYS_MS must name at least one delay when retries are on');
  }
  // Lambda's Environment.Variables: anything the operator passes as IMGPIPE_FN_<NAME>.
  const functionEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('IMGPIPE_FN_') && k.length > 'IMGPIPE_FN_'.length) {
      functionEnv[k.slice('IMGPIPE_FN_'.length)] = v;
    }
  }
  const trigger = env('IMGPIPE_TRIGGER', defaults.IMGPIPE_TRIGGER);
  if (!TRIGGERS.includes(trigger)) {
    throw new Error(`IMGPIPE_TRIGGER=${trigger}: expected one of ${TRIGGERS.join(', ')}`);
  }
  const cfg = {
    repoRoot: REPO_ROOT,
    stateDir,
    logDir: path.join(stateDir, 'logs'),
    s3DataDir: path.join(stateDir, 's3'),
    pendingEventsDir: path.join(stateDir, 'events', 'pending'),
    taskRoot: path.join(stateDir, 'task'),
    deadLetterFile: path.join(stateDir, 'dead-letters.jsonl'),
    queueDir: path.join(stateDir, 'sqs', 'events'),
    sqsJournalFile: path.join(stateDir, 'logs', 'sqs-batches.jsonl'),
    backfillDir: path.join(stateDir, 'backfill'),
    s3Port: intSetting('IMGPIPE_S3_PORT', defaults.IMGPIPE_S3_PORT, 0),
    lambdaPort: intSetting('IMGPIPE_LAMBDA_PORT', defaults.IMGPIPE_LAMBDA_PORT, 0),
    inputBucket: env('IMGPIPE_INPUT_BUCKET', defaults.IMGPIPE_INPUT_BUCKET),
    outputBucket: env('IMGPIPE_OUTPUT_BUCKET', defaults.IMGPIPE_OUTPUT_BUCKET),
    region: env('IMGPIPE_REGION', defaults.IMGPIPE_REGION),
    accessKeyId: env('IMGPIPE_ACCESS_KEY_ID', defaults.IMGPIPE_ACCESS_KEY_ID),
    secretAccessKey: env('IMGPIPE_SECRET_ACCESS_KEY', defaults.IMGPIPE_SECRET_ACCESS_KEY),
    functionName: env('IMGPIPE_FUNCTION_NAME', defaults.IMGPIPE_FUNCTION_NAME),
    lambdaZip: path.resolve(env('IMGPIPE_LAMBDA_ZIP', defaults.IMGPIPE_LAMBDA_ZIP)),
    bootstrap: env('IMGPIPE_BOOTSTRAP', ''),
    workers: intSetting('IMGPIPE_WORKERS', defaults.IMGPIPE_WORKERS, 1),
    timeoutMs: Math.round(numberSetting('IMGPIPE_TIMEOUT_S', defaults.IMGPIPE_TIMEOUT_S, 0.1) * 1000),
    maxRetries,
    retryDelaysMs,
    filterPrefix: env('IMGPIPE_FILTER_PREFIX', defaults.IMGPIPE_FILTER_PREFIX),
    filterSuffixes: listSetting('IMGPIPE_FILTER_SUFFIXES', defaults.IMGPIPE_FILTER_SUFFIXES),
    functionEnv,
    trigger,
    sqsBatchSize: intSetting('IMGPIPE_SQS_BATCH_SIZE', defaults.IMGPIPE_SQS_BATCH_SIZE, 1),
    sqsBatchWindowMs: Math.round(numberSetting('IMGPIPE_SQS_BATCH_WINDOW_S', defaults.IMGPIPE_SQS_BATCH_WINDOW_S, 0) * 1000),
    sqsMaxReceiveCount: intSetting('IMGPIPE_SQS_MAX_RECEIVE_COUNT', defaults.IMGPIPE_SQS_MAX_RECEIVE_COUNT, 1),
    // Fault injection for the e2e tests only: GETs of keys under this prefix wait this long, so a
    // test can catch a worker in the middle of an invocation. Off unless both are set.
    testSlowGetPrefix: env('IMGPIPE_TEST_SLOW_GET_PREFIX', ''),
    testSlowGetMs: intSetting('IMGPIPE_TEST_SLOW_GET_MS', '0', 0),
    // Fault injection for the e2e tests only: PUTs of this key to the output bucket answer 500
    // for the first IMGPIPE_TEST_FAIL_PUT_INVOCATIONS invocations that write it. Off unless both
    // are set.
    testFailPutKey: env('IMGPIPE_TEST_FAIL_PUT_KEY', ''),
    testFailPutInvocations: intSetting('IMGPIPE_TEST_FAIL_PUT_INVOCATIONS', '0', 0),
  };
  // Terraform's visibility timeout: 6 × the function timeout plus the batching window.
  // Both default to other settings: unset or empty means that default.
  const derived = (name, fallback) => process.env[name] || fallback;
  const visibilityS = 6 * cfg.timeoutMs / 1000 + cfg.sqsBatchWindowMs / 1000;
  cfg.sqsVisibilityTimeoutMs = Math.round(1000 * numberSetting('IMGPIPE_SQS_VISIBILITY_TIMEOUT_S', '',
    0.01, derived('IMGPIPE_SQS_VISIBILITY_TIMEOUT_S', String(visibilityS))));
  cfg.sqsMaxConcurrency = intSetting('IMGPIPE_SQS_MAX_CONCURRENCY', '', 1,
    derived('IMGPIPE_SQS_MAX_CONCURRENCY', String(cfg.workers)));
  cfg.accountId = '000000000000';
  cfg.functionArn = `arn:aws:lambda:${cfg.region}:${cfg.accountId}:function:${cfg.functionName}`;
  cfg.s3Endpoint = `http://127.0.0.1:${cfg.s3Port}`;
  cfg.lambdaEndpoint = `http://127.0.0.1:${cfg.lambdaPort}`;
  cfg.queueName = `${cfg.functionName}-events`; // the Terraform module's names
  cfg.queueArn = `arn:aws:sqs:${cfg.region}:${cfg.accountId}:${cfg.queueName}`;
  cfg.deadLetterQueueArn = `arn:aws:sqs:${cfg.region}:${cfg.accountId}:${cfg.functionName}-dead-letters`;
  return cfg;
}

// The fault-injection hooks this configuration turns on, so that stack.sh can say so loudly.
function testHooks(c) {
  const hooks = [];
  if (c.testSlowGetPrefix && c.testSlowGetMs > 0) hooks.push(`GETs under ${c.testSlowGetPrefix} wait ${c.testSlowGetMs} ms`);
  if (c.testFailPutKey && c.testFailPutInvocations > 0) {
    hooks.push(`PUTs of ${c.outputBucket}/${c.testFailPutKey} fail for ${c.testFailPutInvocations} invocation(s)`);
  }
  return hooks;
}

function describe() {
  const shown = (d) => (d.startsWith(REPO_ROOT + path.sep) ? path.relative(REPO_ROOT, d) : d) || '(unset)';
  return SETTINGS.map(([n, d, what]) => `  ${n.padEnd(26)} ${shown(d)}\n  ${''.padEnd(26)} ${what}`)
    .join('\n');
}

module.exports = { load, describe, testHooks, SETTINGS, TRIGGERS };

// `node lib/config.js shell` prints the resolved settings stack.sh needs, as shell assignments.
if (require.main === module) {
  if (process.argv[2] === 'describe') {
    console.log(describe());
  } else {
    const c = load();
    const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
    const out = {
      STATE_DIR: c.stateDir, LOG_DIR: c.logDir, S3_PORT: c.s3Port, LAMBDA_PORT: c.lambdaPort,
      INPUT_BUCKET: c.inputBucket, OUTPUT_BUCKET: c.outputBucket, DEAD_LETTER_FILE: c.deadLetterFile,
      FUNCTION_NAME: c.functionName, LAMBDA_ZIP: c.lambdaZip, BOOTSTRAP: c.bootstrap,
      ACCESS_KEY_ID: c.accessKeyId, SECRET_ACCESS_KEY: c.secretAccessKey, REGION: c.region,
      TRIGGER: c.trigger, TEST_HOOKS: testHooks(c).join('; '),
    };
    for (const [k, v] of Object.entries(out)) console.log(`CFG_${k}=${q(v)}`);
  }
}
