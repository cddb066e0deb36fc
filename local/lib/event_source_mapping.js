'use strict';
// Lambda's SQS event source mapping with ReportBatchItemFailures, as the Terraform module's
// `trigger = "sqs"` configures it: it polls the queue, waits up to the batching window for a full
// batch, invokes the function synchronously with at most `batchSize` messages and at most
// `maxConcurrency` batches at a time, then deletes the messages that succeeded. The messages named
// in `batchItemFailures` stay in the queue and come back when their visibility timeout ends; a
// function error (an error response, a crash, a timeout) leaves the whole batch there.
// Every batch is journalled (one JSON line per batch) so that an operator or a test can see what
// was delivered, with which receive count, and what came back.

const fs = require('node:fs');
const { parseJsonOr } = require('./json');

// Lambda's rules for a ReportBatchItemFailures response (AWS's "Reporting batch item failures"):
// an empty or null response, or an empty or null batchItemFailures, is a complete success; a
// response that is not JSON, or an entry without a valid itemIdentifier of this batch, is a
// complete failure. Returns { all: bool, failed: Set of message ids, reason }.
function partialBatchResult(outcome, messageIds) {
  if (!outcome.ok) {
    const b = outcome.body || {};
    return { all: true, failed: new Set(messageIds), reason: `${b.errorType}: ${b.errorMessage}` };
  }
  const whole = (reason) => ({ all: true, failed: new Set(messageIds), reason });
  const text = Buffer.isBuffer(outcome.body) ? outcome.body.toString('utf8') : String(outcome.body);
  if (text.trim() === '') return { all: false, failed: new Set(), reason: '' };
  let response;
  try {
    response = JSON.parse(text);
  } catch {
    return whole('the response is not JSON');
  }
  const list = response === null || typeof response !== 'object' ? null : response.batchItemFailures;
  if (list === null || list === undefined) return { all: false, failed: new Set(), reason: '' };
  if (!Array.isArray(list)) return whole('batchItemFailures is not a list');
  const known = new Set(messageIds);
  const failed = new Set();
  for (const entry of list) {
    const id = entry && typeof entry === 'object' ? entry.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !known.has(id)) {
      return whole(`batchItemFailures names ${JSON.stringify(id)}, not a message of this batch`);
    }
    failed.add(id);
  }
  return { all: false, failed, reason: failed.size ? 'reported in batchItemFailures' : '' };
}

// The S3 object a message is about (its body is S3's event), for logs and the journal.
function messageKey(body) {
  const ev = parseJsonOr(Buffer.from(body), null);
  const r = ev && Array.isArray(ev.Records) && ev.Records[0];
  return r && r.s3 && r.s3.object ? r.s3.object.key : null;
}

class EventSourceMapping {
  constructor({ queue, service, batchSize, batchWindowMs, maxConcurrency, region, journalFile, log,
    now = Date.now }) {
    Object.assign(this, { queue, service, batchSize, batchWindowMs, maxConcurrency, region,
      journalFile, log, now });
    this.inFlight = 0;
    this.windowStartedAt = null;
    this.timer = null;
    this.stopped = false;
    this.lastFailure = new Map(); // messageId → why its latest delivery failed (for dead letters)
    this.stats = { batches: 0, received: 0, deleted: 0, returned: 0, functionErrors: 0, deadLettered: 0 };
  }

  // Called after a send and whenever a batch ends or a visibility timeout may have run out.
  tick() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = null;
    let wakeIn = null;
    while (this.inFlight < this.maxConcurrency) {
      const visible = this.queue.visibleCount();
      if (visible === 0) {
        this.windowStartedAt = null;
        break;
      }
      if (visible < this.batchSize && this.batchWindowMs > 0) {
        if (this.windowStartedAt === null) this.windowStartedAt = this.now();
        const left = this.windowStartedAt + this.batchWindowMs - this.now();
        if (left > 0) {
          wakeIn = left;
          break;
        }
      }
      this.windowStartedAt = null;
      const messages = this.queue.receive(this.batchSize); // may redrive instead of delivering
      if (messages.length > 0) this.run(messages);
    }
    const nextVisible = this.queue.nextVisibleInMs();
    if (nextVisible !== null && (wakeIn === null || nextVisible < wakeIn)) wakeIn = nextVisible;
    if (wakeIn !== null) this.timer = setTimeout(() => this.tick(), Math.max(1, wakeIn + 1));
  }

  async run(messages) {
    this.inFlight += 1;
    this.stats.batches += 1;
    this.stats.received += messages.length;
    const payload = Buffer.from(JSON.stringify({
      Records: messages.map((m) => this.queue.toLambdaRecord(m, this.region)),
    }));
    const inv = this.service.invoke(payload, 'RequestResponse');
    const ids = messages.map((m) => m.messageId);
    const describe = messages.map((m) => `${m.messageId} ${messageKey(m.body)} (receive ${m.receiveCount})`);
    this.log(`${inv.requestId}: SQS batch of ${messages.length}: ${describe.join(', ')}`);
    const outcome = await inv.result;
    const result = partialBatchResult(outcome, ids);
    if (!outcome.ok) this.stats.functionErrors += 1;
    const deleted = [];
    for (const m of messages) {
      if (result.failed.has(m.messageId)) {
        this.stats.returned += 1;
        this.lastFailure.set(m.messageId, outcome.ok ? { reason: result.reason } : outcome.body);
      } else if (this.queue.delete(m.messageId, m.receiptHandle)) {
        this.stats.deleted += 1;
        this.lastFailure.delete(m.messageId);
        deleted.push(m.messageId);
      }
    }
    this.log(`${inv.requestId}: SQS batch: ${deleted.length} deleted, ${result.failed.size} back ` +
             `after the visibility timeout${result.reason ? ` (${result.reason})` : ''}`);
    this.journal({
      timestamp: new Date().toISOString(),
      requestId: inv.requestId,
      messages: messages.map((m) => ({ messageId: m.messageId, receiveCount: m.receiveCount, key: messageKey(m.body) })),
      functionError: outcome.ok ? null : outcome.body,
      wholeBatchFailed: result.all,
      failed: [...result.failed],
      deleted,
    });
    this.inFlight -= 1;
    this.tick();
  }

  journal(entry) {
    try {
      fs.appendFileSync(this.journalFile, JSON.stringify(entry) + '\n');
    } catch (err) {
      this.log(`cannot journal an SQS batch: ${err.message}`);
    }
  }

  status() {
    const queued = this.queue.size();
    return {
      ...this.stats,
      queued,
      visible: this.queue.visibleCount(),
      batchesInFlight: this.inFlight,
      idle: queued === 0 && this.inFlight === 0,
    };
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

module.exports = { EventSourceMapping, partialBatchResult, messageKey };
