'use strict';
// The invocation side of Lambda for one function: a FIFO of invocations shared by all workers,
// synchronous callers waiting for their outcome, and Lambda's asynchronous semantics: failed Event
// invocations are retried (IMGPIPE_MAX_RETRIES times, after IMGPIPE_RETRY_DELAYS_MS), then an
// on-failure destination record is appended to the dead-letter JSONL file.

const crypto = require('node:crypto');
const { parseJsonOr } = require('./json');
const { appendDeadLetter } = require('./dead_letters');
const { messageKey } = require('./event_source_mapping');

function payloadSummary(payload) {
  try {
    const ev = JSON.parse(payload.toString('utf8'));
    const r = ev && Array.isArray(ev.Records) && ev.Records[0];
    if (r && r.s3) return { bucket: r.s3.bucket && r.s3.bucket.name, key: r.s3.object && r.s3.object.key };
    // An SQS batch: the first message's object, and how many messages came with it.
    if (r && typeof r.body === 'string') return { key: messageKey(r.body), messages: ev.Records.length };
  } catch {
    // not JSON or not an S3 event: nothing to summarise
  }
  return null;
}

class FunctionService {
  constructor({ cfg, workers, log }) {
    this.cfg = cfg;
    this.workers = workers;
    this.log = log;
    this.queue = [];
    this.retryTimers = new Set();
    this.stats = { invocations: 0, attempts: 0, succeeded: 0, failedAttempts: 0, retried: 0, deadLettered: 0 };
    for (const w of workers) {
      w.on('ready', () => this.dispatch());
      w.on('done', (inv, outcome) => this.onDone(inv, outcome));
      w.on('initFailed', (err) => this.onInitFailed(err));
    }
  }

  // type: 'Event' | 'RequestResponse'. Returns the invocation; sync callers await inv.result.
  invoke(payload, type) {
    const inv = {
      requestId: crypto.randomUUID(),
      payload,
      payloadSummary: payloadSummary(payload),
      type,
      attempts: 0,
      receivedAt: Date.now(),
    };
    if (type === 'RequestResponse') {
      inv.result = new Promise((resolve) => { inv.resolve = resolve; });
    }
    this.stats.invocations += 1;
    this.enqueue(inv);
    return inv;
  }

  enqueue(inv) {
    this.queue.push(inv);
    this.dispatch();
  }

  dispatch() {
    for (const w of this.workers) {
      if (this.queue.length === 0) return;
      if (w.idle) {
        const inv = this.queue.shift();
        inv.attempts += 1;
        this.stats.attempts += 1;
        w.assign(inv);
      }
    }
  }

  // The runtime died before it could take work: Lambda fails the invocation that started it.
  onInitFailed(err) {
    if (this.queue.length === 0) return;
    const inv = this.queue.shift();
    inv.attempts += 1;
    this.stats.attempts += 1;
    this.onDone(inv, { ok: false, body: err, logTail: Buffer.alloc(0) });
  }

  onDone(inv, outcome) {
    const what = inv.payloadSummary ? ` ${inv.payloadSummary.key}` : '';
    if (outcome.ok) {
      this.stats.succeeded += 1;
      this.log(`${inv.requestId}${what}: succeeded on attempt ${inv.attempts}`);
    } else {
      this.stats.failedAttempts += 1;
      this.log(`${inv.requestId}${what}: attempt ${inv.attempts} failed: ` +
               `${outcome.body.errorType}: ${outcome.body.errorMessage}`);
    }
    if (inv.type === 'RequestResponse') {
      inv.resolve(outcome);
      return;
    }
    if (outcome.ok) return;
    if (inv.attempts <= this.cfg.maxRetries) {
      const delays = this.cfg.retryDelaysMs;
      const delay = delays[Math.min(inv.attempts - 1, delays.length - 1)];
      this.stats.retried += 1;
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.enqueue(inv);
      }, delay);
      this.retryTimers.add(timer);
      return;
    }
    this.deadLetter(inv, outcome);
  }

  // Lambda's on-failure destination record, one JSON object per line.
  deadLetter(inv, outcome) {
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: inv.requestId,
        functionArn: `${this.cfg.functionArn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: inv.attempts,
      },
      requestPayload: parseJsonOr(inv.payload, inv.payload.toString('utf8')),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: outcome.body,
    };
    appendDeadLetter(this.cfg.deadLetterFile, record);
    this.stats.deadLettered += 1;
    this.log(`${inv.requestId}: retries exhausted after ${inv.attempts} attempts → ${this.cfg.deadLetterFile}`);
  }

  status() {
    const busy = this.workers.filter((w) => w.busyWith).length;
    return {
      ...this.stats,
      queued: this.queue.length,
      inFlight: busy,
      retryScheduled: this.retryTimers.size,
      idle: this.queue.length === 0 && busy === 0 && this.retryTimers.size === 0,
      workers: this.workers.map((w) => w.status()),
    };
  }

  stop() {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }
}

module.exports = { FunctionService };
