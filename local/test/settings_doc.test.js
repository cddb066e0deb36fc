'use strict';
// docs/local-stack.md's settings table and local/lib/config.js's SETTINGS (the one source) list
// the same variables, so a new setting cannot go undocumented.
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
