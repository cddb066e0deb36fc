'use strict';
// The SQS trigger's queue (visibility, receive counts, redrive, durability) and Lambda's rules for
// a ReportBatchItemFailures response, without processes.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { SqsQueue } = require('../lib/sqs_queue');
const { EventSourceMapping, partialBatchResult } = require('../lib/event_source_mapping');

function queueAt(clock, overrides = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imgpipe-sqs-test-'));
  const redriven = [];
  const q = new SqsQueue({
    dir, arn: 'arn:aws:sqs:us-east-1:000000000000:imgpipe-events', visibilityTimeoutMs: 1000,
    maxReceiveCount: 2, onRedrive: (m) => redriven.push(m), now: () => clock.t, ...overrides,
  });
  return { q, dir, redriven };
}

test('a received message is invisible for the visibility timeout, then comes back with a higher count', () => {
  const clock = { t: 1000 };
  const { q } = queueAt(clock);
  const sent = q.send('{"Records":[]}');
  const [first] = q.receive(10);
  assert.equal(first.messageId, sent.messageId);
  assert.equal(first.receiveCount, 1);
  assert.deepEqual(q.receive(10), []);
  assert.equal(q.nextVisibleInMs(), 1000);
  clock.t += 999;
  assert.deepEqual(q.receive(10), []);
  clock.t += 1;
  const [again] = q.receive(10);
  assert.equal(again.receiveCount, 2);
  assert.notEqual(again.receiptHandle, first.receiptHandle);
  const rec = q.toLambdaRecord(again, 'us-east-1');
  assert.equal(rec.attributes.ApproximateReceiveCount, '2');
  assert.equal(rec.attributes.ApproximateFirstReceiveTimestamp, '1000');
  assert.equal(rec.eventSource, 'aws:sqs');
  assert.equal(rec.body, '{"Records":[]}');
});

test('only the latest receipt handle deletes', () => {
  const clock = { t: 0 };
  const { q } = queueAt(clock);
  q.send('a');
  const [r1] = q.receive(1);
  clock.t += 1000;
  const [r2] = q.receive(1);
  assert.equal(q.delete(r1.messageId, r1.receiptHandle), false);
  assert.equal(q.size(), 1);
  assert.equal(q.delete(r2.messageId, r2.receiptHandle), true);
  assert.equal(q.size(), 0);
});

test('after maxReceiveCount receives the next receive moves the message to the dead-letter queue', () => {
  const clock = { t: 0 };
  const { q, redriven } = queueAt(clock);
  q.send('poison');
  q.send('fine');
  assert.equal(q.receive(1).length, 1); // poison, receive 1
  clock.t += 1000;
  assert.deepEqual(q.receive(1).map((m) => [m.body, m.receiveCount]), [['poison', 2]]);
  clock.t += 1000;
  // poison has been received twice: it is redriven, and the receive goes on to the next message.
  assert.deepEqual(q.receive(1).map((m) => m.body), ['fine']);
  assert.deepEqual(redriven.map((m) => [m.body, m.receiveCount]), [['poison', 2]]);
  assert.equal(q.size(), 1);
});

test('the queue survives a restart with its receive counts and visibility', () => {
  const clock = { t: 0 };
  const { q, dir } = queueAt(clock);
  q.send('one');
  q.receive(1);
  const reopened = new SqsQueue({ dir, arn: 'x', visibilityTimeoutMs: 1000, maxReceiveCount: 5,
    onRedrive: () => {}, now: () => clock.t });
  assert.equal(reopened.size(), 1);
  assert.deepEqual(reopened.receive(1), []);
  clock.t = 1000;
  assert.equal(reopened.receive(1)[0].receiveCount, 2);
});

test('ReportBatchItemFailures responses are judged as Lambda does', () => {
  const ids = ['m1', 'm2'];
  const ok = (s) => ({ ok: true, body: Buffer.from(s) });
  const failed = (r) => [...r.failed].sort();
  assert.deepEqual(failed(partialBatchResult(ok('{"batchItemFailures":[{"itemIdentifier":"m2"}]}'), ids)), ['m2']);
  for (const success of ['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}']) {
    assert.deepEqual(failed(partialBatchResult(ok(success), ids)), [], success);
  }
  for (const whole of ['not json', '{"batchItemFailures":[{"itemIdentifier":""}]}',
    '{"batchItemFailures":[{"itemIdentifier":null}]}', '{"batchItemFailures":[{"id":"m1"}]}',
    '{"batchItemFailures":[{"itemIdentifier":"nope"}]}', '{"batchItemFailures":"m1"}']) {
    const r = partialBatchResult(ok(whole), ids);
    assert.equal(r.all, true, whole);
    assert.deepEqual(failed(r), ids, whole);
  }
  const err = partialBatchResult({ ok: false, body: { errorType: 'Sandbox.Timedout', errorMessage: 'x' } }, ids);
  assert.equal(err.all, true);
  assert.match(err.reason, /Sandbox.Timedout/);
});

test('the mapping fills a batch within the window, deletes successes and keeps failures', async () => {
  const { q } = queueAt({ get t() { return Date.now(); } }, { visibilityTimeoutMs: 60000, maxReceiveCount: 5 });
  const invocations = [];
  const service = {
    invoke(payload) {
      const ev = JSON.parse(payload);
      invocations.push(ev.Records.map((r) => r.body));
      const bad = ev.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId }));
      return { requestId: `r${invocations.length}`,
        result: Promise.resolve({ ok: true, body: Buffer.from(JSON.stringify({ batchItemFailures: bad })) }) };
    },
  };
  const journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imgpipe-esm-')), 'j.jsonl');
  const esm = new EventSourceMapping({ queue: q, service, batchSize: 3, batchWindowMs: 200,
    maxConcurrency: 1, region: 'us-east-1', journalFile: journal, log: () => {} });
  q.send('a');
  esm.tick();
  q.send('bad');
  esm.tick();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(invocations.length, 0, 'waits for a full batch within the window');
  q.send('c');
  esm.tick();
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(invocations, [['a', 'bad', 'c']]);
  assert.equal(q.size(), 1, 'only the reported message is kept');
  q.send('late');
  esm.tick();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(invocations.length, 1, 'a partial batch waits for the window');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(invocations[1], ['late']);
  esm.stop();
  assert.deepEqual(esm.status().deleted, 3);
});
