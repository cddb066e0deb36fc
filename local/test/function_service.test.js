'use strict';
// The Lambda service's invocation semantics, with scripted workers instead of processes.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { EventEmitter } = require('node:events');
const { FunctionService } = require('../lib/function_service');
const { functionMatches } = require('../lib/invoke_api');

// A worker whose every attempt ends with the next scripted outcome.
class ScriptedWorker extends EventEmitter {
  constructor(outcomes) {
    super();
    this.outcomes = outcomes;
    this.idle = true;
    this.busyWith = null;
    this.seen = [];
  }
  assign(inv) {
    this.idle = false;
    this.busyWith = inv.requestId;
    this.seen.push(inv.requestId);
    setImmediate(() => {
      this.idle = true;
      this.busyWith = null;
      this.emit('done', inv, { ...this.outcomes.shift(), logTail: Buffer.alloc(0) });
      this.emit('ready');
    });
  }
  status() {
    return {};
  }
}

function setup(outcomes, overrides = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgpipe-fs-test-'));
  const cfg = {
    maxRetries: 2, retryDelaysMs: [5, 10], deadLetterFile: path.join(dir, 'dlq.jsonl'),
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:imgpipe', ...overrides,
  };
  const worker = new ScriptedWorker(outcomes);
  const service = new FunctionService({ cfg, workers: [worker], log: () => {} });
  const letters = () => (fs.existsSync(cfg.deadLetterFile)
    ? fs.readFileSync(cfg.deadLetterFile, 'utf8').trim().split('\n').map(JSON.parse) : []);
  return { service, worker, letters };
}

const fail = { ok: false, body: { errorType: 'S3Error', errorMessage: 'boom' } };
const ok = { ok: true, body: Buffer.from('{"done":true}') };
const until = async (pred) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(pred());
};

test('a failing Event invocation is tried 3 times with the same id, then dead-lettered', async () => {
  const { service, worker, letters } = setup([fail, fail, fail]);
  const payload = Buffer.from('{"Records":[{"s3":{"bucket":{"name":"in"},"object":{"key":"a+b.jpg"}}}]}');
  const inv = service.invoke(payload, 'Event');
  await until(() => letters().length === 1);
  assert.deepEqual(worker.seen, [inv.requestId, inv.requestId, inv.requestId]);
  const [rec] = letters();
  assert.equal(rec.version, '1.0');
  assert.deepEqual(rec.requestContext, {
    requestId: inv.requestId, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:imgpipe:$LATEST',
    condition: 'RetriesExhausted', approximateInvokeCount: 3,
  });
  assert.deepEqual(rec.requestPayload, JSON.parse(payload));
  assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.deepEqual(rec.responsePayload, fail.body);
  assert.equal(service.status().retried, 2);
});

test('an Event invocation that succeeds on a retry is not dead-lettered', async () => {
  const { service, worker, letters } = setup([fail, ok]);
  service.invoke(Buffer.from('{}'), 'Event');
  await until(() => service.status().succeeded === 1);
  assert.equal(worker.seen.length, 2);
  assert.deepEqual(letters(), []);
});

test('MaximumRetryAttempts 0 dead-letters after one attempt', async () => {
  const { service, worker, letters } = setup([fail], { maxRetries: 0 });
  service.invoke(Buffer.from('{}'), 'Event');
  await until(() => letters().length === 1);
  assert.equal(worker.seen.length, 1);
  assert.equal(letters()[0].requestContext.approximateInvokeCount, 1);
});

test('RequestResponse invocations are never retried; the caller gets the error', async () => {
  const { service, worker, letters } = setup([fail]);
  const inv = service.invoke(Buffer.from('{}'), 'RequestResponse');
  const outcome = await inv.result;
  assert.equal(outcome.ok, false);
  assert.deepEqual(outcome.body, fail.body);
  assert.equal(worker.seen.length, 1);
  assert.deepEqual(letters(), []);
});

test('an init failure fails the invocation waiting at the head of the queue', async () => {
  const { service, worker } = setup([]);
  worker.idle = false; // the runtime never reached /next
  const inv = service.invoke(Buffer.from('{}'), 'RequestResponse');
  worker.emit('initFailed', { errorType: 'Runtime.InvalidConfig', errorMessage: 'bad' });
  const outcome = await inv.result;
  assert.deepEqual(outcome.body, { errorType: 'Runtime.InvalidConfig', errorMessage: 'bad' });
});

test('function references resolve like Lambda: name, ARN, partial ARN, $LATEST', () => {
  const cfg = { functionName: 'imgpipe', accountId: '000000000000',
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:imgpipe' };
  for (const ref of ['imgpipe', 'imgpipe:$LATEST', cfg.functionArn, `${cfg.functionArn}:$LATEST`,
    '000000000000:function:imgpipe']) {
    assert.ok(functionMatches(ref, cfg), ref);
  }
  for (const ref of ['other', 'imgpipe:7', 'arn:aws:lambda:us-east-1:000000000000:function:other']) {
    assert.ok(!functionMatches(ref, cfg), ref);
  }
});
