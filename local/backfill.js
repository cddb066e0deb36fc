'use strict';
// `make backfill` / `local/stack.sh backfill`: the local counterpart of the S3 Batch Operations
// job in terraform/README.md. Lists the input bucket of the running local stack, keeps the keys
// the notification would have sent (IMGPIPE_FILTER_PREFIX / _SUFFIXES), and invokes the function
// synchronously with one S3 Batch Operations event (invocation schema 2.0) per object, as Batch
// Operations does, page by page (--chunk-size objects per page, --concurrency invocations at
// once). TemporaryFailure tasks are tried again (--retries), as Batch Operations redrives them.
// Prints a line per chunk, one per failed task, and a summary by result code; writes a
// completion report in Batch Operations' CSV layout.
//
// Exit status: 0 when no task is left as TemporaryFailure (PermanentFailure tasks, such as a
// corrupt image, are part of a complete job and listed), 1 when some are, 2 on bad usage or
// when the stack cannot be reached.

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const config = require('./lib/config');
const { S3Client } = require('./lib/s3_client');
const { formUrlEncodeKey, matchesFilter } = require('./lib/s3_event');
const { parseJsonOr } = require('./lib/json');

const RESULT_CODES = ['Succeeded', 'TemporaryFailure', 'PermanentFailure'];

const USAGE = `usage: local/stack.sh backfill [options]   (make backfill BACKFILL_FLAGS="...")
  --chunk-size N      objects listed and processed per chunk (default 100)
  --concurrency N     invocations at once (default: IMGPIPE_WORKERS)
  --retries N         extra tries of a TemporaryFailure task (default 2)
  --retry-delay-ms N  wait before each extra try (default 1000)
  --skip-existing     skip objects whose output exists and was made from the same ETag
                      (default: process everything; the outputs are idempotent)
  --prefix P          list only under P (default: IMGPIPE_FILTER_PREFIX)
  --report FILE       completion report (default: STATE/backfill/report-<time>.csv)`;

function parseArgs(argv, cfg) {
  const opts = { chunkSize: 100, concurrency: cfg.workers, retries: 2, retryDelayMs: 1000,
    skipExisting: false, prefix: cfg.filterPrefix, report: null };
  const ints = { '--chunk-size': ['chunkSize', 1], '--concurrency': ['concurrency', 1],
    '--retries': ['retries', 0], '--retry-delay-ms': ['retryDelayMs', 0] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    if (a === '--skip-existing') {
      opts.skipExisting = true;
    } else if (ints[a]) {
      const [field, min] = ints[a];
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a}: expected an integer >= ${min}`);
      opts[field] = n;
    } else if (a === '--prefix' || a === '--report') {
      if (i + 1 >= argv.length) throw new Error(`${a}: missing value`);
      opts[a.slice(2)] = argv[++i];
    } else {
      throw new Error(`unknown option ${a}`);
    }
  }
  return opts;
}

function invoke(cfg, event) {
  const body = Buffer.from(JSON.stringify(event));
  const url = new URL(`${cfg.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(cfg.functionName)}/invocations`);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: {
      'Content-Type': 'application/json', 'Content-Length': body.length,
      'X-Amz-Invocation-Type': 'RequestResponse',
    } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, functionError: res.headers['x-amz-function-error'],
        body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// One Batch Operations invocation for one object → { resultCode, resultString }.
async function runTask(cfg, job, object) {
  const task = { taskId: crypto.randomBytes(12).toString('base64url'), s3Bucket: cfg.inputBucket,
    s3Key: formUrlEncodeKey(object.key), s3VersionId: null };
  const event = { invocationSchemaVersion: '2.0', invocationId: crypto.randomBytes(18).toString('base64url'),
    job: { id: job.id, userArguments: {} }, tasks: [task] };
  let r;
  try {
    r = await invoke(cfg, event);
  } catch (err) {
    return { resultCode: 'TemporaryFailure', resultString: `Invoke failed: ${err.code || err.message}` };
  }
  const answer = parseJsonOr(r.body, null);
  if (r.status !== 200 || r.functionError) {
    // The function did not answer for its task (an error response, a crash, a timeout):
    // Batch Operations counts that against the task and tries it again.
    const why = answer && answer.errorType ? `${answer.errorType}: ${answer.errorMessage}` : r.body.toString('utf8');
    return { resultCode: 'TemporaryFailure', resultString: `function error (HTTP ${r.status}): ${why}` };
  }
  const result = answer && Array.isArray(answer.results) && answer.results.find((x) => x && x.taskId === task.taskId);
  if (!result) {
    const missing = (answer && answer.treatMissingKeysAs) || 'PermanentFailure';
    return { resultCode: missing, resultString: 'no result for the task in the response' };
  }
  if (!RESULT_CODES.includes(result.resultCode)) {
    return { resultCode: 'PermanentFailure', resultString: `unknown resultCode ${JSON.stringify(result.resultCode)}` };
  }
  return { resultCode: result.resultCode, resultString: String(result.resultString || '') };
}

async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

// Input key → ETag of the input each existing output was made from (its imgpipe-source metadata).
async function existingOutputs(s3, cfg) {
  const done = new Map();
  for await (const page of s3.listAll(cfg.outputBucket)) {
    for (const o of page) {
      const meta = await s3.headMetadata(cfg.outputBucket, o.key);
      if (meta && meta['imgpipe-source'] && meta['imgpipe-source-bucket'] === cfg.inputBucket) {
        done.set(decodeURIComponent(meta['imgpipe-source']), (meta['imgpipe-source-etag'] || '').replace(/"/g, ''));
      }
    }
  }
  return done;
}

const csv = (v) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

async function main() {
  const cfg = config.load();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), cfg);
  } catch (err) {
    console.error(`backfill: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const s3 = new S3Client({ endpoint: cfg.s3Endpoint, region: cfg.region, accessKeyId: cfg.accessKeyId,
    secretAccessKey: cfg.secretAccessKey });
  const t0 = Date.now();
  const job = { id: crypto.randomUUID() };
  const reportFile = opts.report || path.join(cfg.backfillDir, `report-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`);
  const counts = Object.fromEntries(RESULT_CODES.map((c) => [c, 0]));
  let listed = 0, outsideFilter = 0, skipped = 0, sent = 0, retried = 0, chunk = 0;
  let done;
  try {
    await s3.listPage(cfg.inputBucket, { maxKeys: 1 }); // the stack answers, the bucket exists
    done = opts.skipExisting ? await existingOutputs(s3, cfg) : new Map();
    fs.mkdirSync(path.dirname(reportFile), { recursive: true });
    fs.writeFileSync(reportFile, '');
    console.log(`backfill: job ${job.id}: s3://${cfg.inputBucket}/${opts.prefix} → ${cfg.functionName}, ` +
                `${opts.chunkSize} object(s) per chunk, ${opts.concurrency} at once` +
                (opts.skipExisting ? `, skipping ${done.size} existing output(s)` : ''));
    for await (const page of s3.listAll(cfg.inputBucket, { prefix: opts.prefix, pageSize: opts.chunkSize })) {
      chunk += 1;
      listed += page.length;
      const todo = [];
      for (const o of page) {
        if (!matchesFilter(o.key, cfg.filterPrefix, cfg.filterSuffixes)) outsideFilter += 1;
        else if (opts.skipExisting && done.get(o.key) === o.etag) skipped += 1;
        else todo.push(o);
      }
      sent += todo.length;
      const results = await pool(todo, opts.concurrency, (o) => runTask(cfg, job, o));
      for (let round = 0; round < opts.retries; round++) {
        const again = todo.map((o, i) => i).filter((i) => results[i].resultCode === 'TemporaryFailure');
        if (again.length === 0) break;
        retried += again.length;
        await new Promise((r) => setTimeout(r, opts.retryDelayMs));
        const redone = await pool(again, opts.concurrency, (i) => runTask(cfg, job, todo[i]));
        again.forEach((i, j) => { results[i] = redone[j]; });
      }
      const inChunk = Object.fromEntries(RESULT_CODES.map((c) => [c, 0]));
      todo.forEach((o, i) => {
        const r = results[i];
        counts[r.resultCode] += 1;
        inChunk[r.resultCode] += 1;
        if (r.resultCode !== 'Succeeded') console.log(`  ${r.resultCode} ${o.key}: ${r.resultString}`);
        fs.appendFileSync(reportFile, [cfg.inputBucket, formUrlEncodeKey(o.key), '',
          r.resultCode === 'Succeeded' ? 'succeeded' : 'failed', r.resultCode, 200, r.resultString]
          .map(csv).join(',') + '\n');
      });
      console.log(`backfill: chunk ${chunk}: ${page.length} listed, ${todo.length} sent: ` +
                  RESULT_CODES.map((c) => `${inChunk[c]} ${c}`).join(', ') +
                  ` (${listed} listed so far, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } catch (err) {
    console.error(`backfill: ${err.code === 'ECONNREFUSED' ? 'the local stack is not running (make up)' : err.message}`);
    return 2;
  }
  console.log(`backfill: done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${listed} listed, ` +
              `${outsideFilter} outside the notification filter, ${skipped} skipped (output exists), ` +
              `${sent} sent, ${retried} retried`);
  for (const c of RESULT_CODES) console.log(`  ${c.padEnd(17)} ${counts[c]}`);
  console.log(`  report ${reportFile}`);
  return counts.TemporaryFailure > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`backfill: ${err.stack || err}`);
  process.exit(2);
});
