'use strict';
// The stack's settings (local/lib/config.js, the one source): the docs list exactly them, the
// fault-injection hooks cannot be half-enabled, and the trigger settings parse and default.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SETTINGS } = require('../lib/config');

// The credential pair is fixed by s3rver and described in a sentence below the table.
const DESCRIBED_ELSEWHERE = new Set(['IMGPIPE_ACCESS_KEY_ID', 'IMGPIPE_SECRET_ACCESS_KEY']);

test('the settings table of docs/local-stack.md lists exactly config.js SETTINGS', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'local-stack.md'), 'utf8');
  const section = doc.split('## Settings and defaults')[1].split('\n## ')[0];
  const documented = [...section.matchAll(/^\| `(IMGPIPE_[A-Z0-9_<>]+)` \|/gm)].map((m) => m[1]);
  const expected = SETTINGS.map(([name]) => name).filter((n) => !DESCRIBED_ELSEWHERE.has(n));
  assert.deepEqual([...documented].sort(), [...expected].sort());
});

test('a fault-injection hook is on only when both of its variables are set', () => {
  const { load, testHooks } = require('../lib/config');
  const names = ['IMGPIPE_TEST_FAIL_PUT_KEY', 'IMGPIPE_TEST_FAIL_PUT_INVOCATIONS',
    'IMGPIPE_TEST_SLOW_GET_PREFIX', 'IMGPIPE_TEST_SLOW_GET_MS'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  try {
    for (const n of names) delete process.env[n];
    assert.deepEqual(testHooks(load()), []);
    process.env.IMGPIPE_TEST_FAIL_PUT_KEY = 'a.jpg';
    process.env.IMGPIPE_TEST_SLOW_GET_PREFIX = 'slow/';
    assert.deepEqual(testHooks(load()), []);
    process.env.IMGPIPE_TEST_FAIL_PUT_INVOCATIONS = '1';
    assert.equal(testHooks(load()).length, 1);
    assert.match(testHooks(load())[0], /PUTs of imgpipe-output\/a\.jpg fail for 1 invocation/);
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
});

test('IMGPIPE_TRIGGER accepts direct, sqs and none only; the SQS defaults derive from other settings', () => {
  const { load } = require('../lib/config');
  const names = ['IMGPIPE_TRIGGER', 'IMGPIPE_TIMEOUT_S', 'IMGPIPE_WORKERS', 'IMGPIPE_SQS_BATCH_WINDOW_S',
    'IMGPIPE_SQS_VISIBILITY_TIMEOUT_S', 'IMGPIPE_SQS_MAX_CONCURRENCY'];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  try {
    for (const n of names) delete process.env[n];
    assert.equal(load().trigger, 'direct');
    process.env.IMGPIPE_TRIGGER = 'lambda';
    assert.throws(load, /IMGPIPE_TRIGGER=lambda: expected one of direct, sqs, none/);
    process.env.IMGPIPE_TRIGGER = 'sqs';
    Object.assign(process.env, { IMGPIPE_TIMEOUT_S: '10', IMGPIPE_WORKERS: '3', IMGPIPE_SQS_BATCH_WINDOW_S: '2' });
    const c = load();
    assert.equal(c.sqsVisibilityTimeoutMs, 62000); // 6 × 10 s + 2 s, as the Terraform module
    assert.equal(c.sqsMaxConcurrency, 3);
    process.env.IMGPIPE_SQS_VISIBILITY_TIMEOUT_S = '0.5';
    process.env.IMGPIPE_SQS_MAX_CONCURRENCY = '';
    assert.equal(load().sqsVisibilityTimeoutMs, 500);
    assert.equal(load().sqsMaxConcurrency, 3);
  } finally {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  }
});
