'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { hasDotSegment } = require('../lib/dot_segments');

test('dot segments are found raw, percent-encoded and as the bucket', () => {
  for (const p of ['/in/../x.jpg', '/in/a/./b.jpg', '/../x.jpg', '/in/%2E%2E/x.jpg', '/in/%2e/x',
    '/in/..', 'in/../../../../tmp/x/trav.jpg']) {
    assert.ok(hasDotSegment(p), p);
  }
});

test('dots inside names are not segments', () => {
  for (const p of ['/in/a.jpg', '/in/..a/b.jpg', '/in/a../b', '/in/.hidden.jpg', '/in/%E0%A4%A.jpg',
    '/in/...']) {
    assert.ok(!hasDotSegment(p), p);
  }
});
