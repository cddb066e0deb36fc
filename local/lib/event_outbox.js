'use strict';
// At-least-once delivery of S3 notifications to their destination: the function (an Event
// invocation, accepted with 202) or, with the SQS trigger, the queue (SendMessage, accepted with
// 200). Each event is written to a
// file in the pending directory *synchronously*, inside s3rver's 'event' emit, which happens before
// s3rver answers the upload: once a client has its 200, the event survives a crash of this
// process. A file is removed only after the destination accepted the event, so after a
// restart anything still pending is delivered again, as S3 may also deliver an event twice.

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

class EventOutbox {
  constructor({ dir, url, headers = {}, acceptedStatus, log }) {
    this.dir = dir;
    this.url = new URL(url);
    this.headers = headers;
    this.acceptedStatus = acceptedStatus;
    this.log = log;
    this.counter = 0;
    this.inFlight = new Set();
    this.stopped = false;
    fs.mkdirSync(dir, { recursive: true });
  }

  // Called synchronously from the emit; never throws into s3rver.
  add(payload, sequencer) {
    const name = `${sequencer}-${process.pid}-${this.counter++}.json`;
    const file = path.join(this.dir, name);
    fs.writeFileSync(file + '.tmp', JSON.stringify(payload));
    fs.renameSync(file + '.tmp', file);
    this.deliver(file, 0);
  }

  // Re-deliver whatever a previous run left behind, oldest first.
  resumePending() {
    const files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) this.deliver(path.join(this.dir, f), 0);
    return files.length;
  }

  pendingCount() {
    return fs.readdirSync(this.dir).filter((f) => f.endsWith('.json')).length;
  }

  stop() {
    this.stopped = true;
  }

  deliver(file, attempt) {
    if (this.stopped || this.inFlight.has(file)) return;
    let body;
    try {
      body = fs.readFileSync(file);
    } catch {
      return; // already delivered by an earlier attempt
    }
    this.inFlight.add(file);
    const req = http.request(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, ...this.headers },
      timeout: 10000,
    });
    const retry = (why) => {
      this.inFlight.delete(file);
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);
      this.log(`event ${path.basename(file)}: not accepted (${why}), retrying in ${delay} ms`);
      setTimeout(() => this.deliver(file, attempt + 1), delay).unref();
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === this.acceptedStatus) {
          this.inFlight.delete(file);
          fs.rmSync(file, { force: true });
        } else {
          retry(`HTTP ${res.statusCode}`);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => retry(err.code || err.message));
    req.end(body);
  }
}

module.exports = { EventOutbox };
