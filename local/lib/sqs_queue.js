'use strict';
// The queue of the SQS trigger (S3 → SQS → Lambda), with the SQS semantics the event source
// mapping relies on: a received message is invisible for the visibility timeout and comes back
// unless it is deleted with its current receipt handle; every receive counts; a message that was
// received `maxReceiveCount` times is moved to the dead-letter queue by the next receive instead
// of being delivered (SQS's redrive policy). Each message is a file in `dir`, rewritten on every
// receive, so a restart of the Lambda service keeps the queue, its receive counts and its
// visibility deadlines, as SQS itself is durable.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const SENDER_ID = 'AIDAIMGPIPELOCALS3';

class SqsQueue {
  // onRedrive(message) is called when a message leaves for the dead-letter queue.
  constructor({ dir, arn, visibilityTimeoutMs, maxReceiveCount, onRedrive, now = Date.now }) {
    Object.assign(this, { dir, arn, visibilityTimeoutMs, maxReceiveCount, onRedrive, now });
    this.messages = new Map(); // messageId → message
    this.sent = 0;
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      try {
        const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        this.messages.set(m.messageId, m);
      } catch {
        fs.rmSync(path.join(dir, f), { force: true }); // a torn write from a crash: never acknowledged
      }
    }
  }

  // SendMessage: the body is kept as given (S3 sends the event's JSON text).
  send(body) {
    const t = this.now();
    const message = {
      messageId: crypto.randomUUID(),
      body,
      md5OfBody: crypto.createHash('md5').update(body).digest('hex'),
      sentTimestamp: t,
      firstReceiveTimestamp: null,
      receiveCount: 0,
      receiptHandle: null,
      invisibleUntil: 0,
      // Send order (SQS standard queues are only roughly ordered; oldest first is enough here).
      seq: `${String(t).padStart(15, '0')}-${String(this.sent++).padStart(9, '0')}`,
    };
    this.persist(message);
    this.messages.set(message.messageId, message);
    return message;
  }

  visibleCount() {
    const t = this.now();
    let n = 0;
    for (const m of this.messages.values()) if (m.invisibleUntil <= t) n += 1;
    return n;
  }

  // Milliseconds until the next invisible message becomes visible again, or null if none is.
  nextVisibleInMs() {
    const t = this.now();
    let next = null;
    for (const m of this.messages.values()) {
      if (m.invisibleUntil > t && (next === null || m.invisibleUntil - t < next)) next = m.invisibleUntil - t;
    }
    return next;
  }

  // ReceiveMessage: up to `max` visible messages, oldest first, each with a fresh receipt handle.
  receive(max) {
    const t = this.now();
    const out = [];
    for (const m of [...this.messages.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1))) {
      if (out.length >= max) break;
      if (m.invisibleUntil > t) continue;
      if (m.receiveCount >= this.maxReceiveCount) {
        this.remove(m);
        this.onRedrive(m);
        continue;
      }
      m.receiveCount += 1;
      if (m.firstReceiveTimestamp === null) m.firstReceiveTimestamp = t;
      m.receiptHandle = crypto.randomBytes(48).toString('base64');
      m.invisibleUntil = t + this.visibilityTimeoutMs;
      this.persist(m);
      out.push({ ...m });
    }
    return out;
  }

  // DeleteMessage: only the latest receipt handle deletes (an older one belongs to a receive
  // whose visibility already ran out and which someone else may be processing now).
  delete(messageId, receiptHandle) {
    const m = this.messages.get(messageId);
    if (!m || m.receiptHandle !== receiptHandle) return false;
    this.remove(m);
    return true;
  }

  size() {
    return this.messages.size;
  }

  remove(m) {
    this.messages.delete(m.messageId);
    fs.rmSync(this.file(m), { force: true });
  }

  file(m) {
    return path.join(this.dir, `${m.seq}-${m.messageId}.json`);
  }

  persist(m) {
    const f = this.file(m);
    fs.writeFileSync(f + '.tmp', JSON.stringify(m));
    fs.renameSync(f + '.tmp', f);
  }

  // A message as Lambda's event source mapping hands it to the function (one record of the
  // event's Records).
  toLambdaRecord(m, region) {
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: region,
    };
  }
}

module.exports = { SqsQueue };
