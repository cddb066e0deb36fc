'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { formUrlEncodeKey, matchesFilter, toAwsRecord, nextSequencer } = require('../lib/s3_event');

test('keys are form-URL-encoded exactly like S3 notifications', () => {
  assert.equal(formUrlEncodeKey('photo.jpg'), 'photo.jpg');
  assert.equal(formUrlEncodeKey('my photo.jpg'), 'my+photo.jpg');
  assert.equal(formUrlEncodeKey('a+b.jpg'), 'a%2Bb.jpg');
  assert.equal(formUrlEncodeKey('dir/sub dir/x.png'), 'dir/sub+dir/x.png');
  assert.equal(formUrlEncodeKey('my photoé.jpg'), 'my+photo%C3%A9.jpg');
  assert.equal(formUrlEncodeKey('日本.jpg'), '%E6%97%A5%E6%9C%AC.jpg');
  assert.equal(formUrlEncodeKey('100%.jpg'), '100%25.jpg');
  assert.equal(formUrlEncodeKey('a=b&c(1).jpg'), 'a%3Db%26c%281%29.jpg');
});

test('decoding the encoded key the way a Lambda must gives back the raw key', () => {
  for (const key of ['a b+c%d/é ü/日本 (1).JPG', '~!@#$^&()[]{};\',.jpg']) {
    const decoded = decodeURIComponent(formUrlEncodeKey(key).replace(/\+/g, ' '));
    assert.equal(decoded, key);
  }
});

test('filters behave like the Terraform notification', () => {
  const sfx = ['.jpg', '.JPG', '.png'];
  assert.ok(matchesFilter('x.jpg', '', sfx));
  assert.ok(matchesFilter('x.JPG', '', sfx));
  assert.ok(!matchesFilter('x.Jpg', '', sfx), 'S3 suffix match is case-sensitive');
  assert.ok(!matchesFilter('x.txt', '', sfx));
  assert.ok(matchesFilter('in/x.png', 'in/', sfx));
  assert.ok(!matchesFilter('out/x.png', 'in/', sfx));
  assert.ok(matchesFilter('anything', '', []));
});

test('records have AWS shape', () => {
  const raw = {
    eventVersion: '2.0', eventName: 'ObjectCreated:Post', eventTime: '2024-01-01T00:00:00.000Z',
    s3: { bucket: { name: 'in', arn: 'arn:aws:s3: : :in' },
      object: { key: 'a b.jpg', size: 12, eTag: 'abc', sequencer: '1' } },
  };
  const r = toAwsRecord(raw, { region: 'eu-west-1', configurationId: 'cfg',
    isMultipartComplete: true });
  assert.equal(r.eventVersion, '2.1');
  assert.equal(r.eventSource, 'aws:s3');
  assert.equal(r.awsRegion, 'eu-west-1');
  assert.equal(r.eventName, 'ObjectCreated:CompleteMultipartUpload');
  assert.equal(r.s3.bucket.arn, 'arn:aws:s3:::in');
  assert.equal(r.s3.object.key, 'a+b.jpg');
  assert.equal(r.s3.object.size, 12);
  assert.equal(r.s3.object.eTag, 'abc');
  assert.match(r.s3.object.sequencer, /^[0-9A-F]{18,}$/);
  const put = toAwsRecord({ ...raw, eventName: 'ObjectCreated:Put' }, { region: 'x' });
  assert.equal(put.eventName, 'ObjectCreated:Put');
});

test('sequencers strictly increase', () => {
  let prev = '';
  for (let i = 0; i < 1000; i++) {
    const s = nextSequencer();
    assert.ok(s.length > prev.length || s > prev);
    prev = s;
  }
});
