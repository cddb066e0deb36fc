'use strict';
// Turns s3rver's in-process events into the notification AWS S3 sends to Lambda, and applies the
// notification's prefix/suffix filter. Pure functions: unit-tested in test/s3_event.test.js.

const crypto = require('node:crypto');

// S3 writes the key form-URL-encoded: space becomes '+', every byte outside [A-Za-z0-9-_.*/]
// becomes %XX of its UTF-8 encoding (so a literal '+' is %2B), and '/' stays as it is.
function formUrlEncodeKey(key) {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.*/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// Like a Terraform `aws_s3_bucket_notification` with one lambda_function block per suffix: the
// key (raw, as stored) must start with the prefix and end with one of the suffixes.
function matchesFilter(key, prefix, suffixes) {
  if (prefix && !key.startsWith(prefix)) return false;
  if (suffixes.length === 0) return true;
  return suffixes.some((s) => key.endsWith(s));
}

let lastSequencer = 0n;
// AWS's sequencer is an opaque hex string that orders events for one key; a strictly increasing
// counter derived from the clock gives the same guarantee here.
function nextSequencer() {
  let now = BigInt(Date.now()) * 1000000n;
  if (now <= lastSequencer) now = lastSequencer + 1n;
  lastSequencer = now;
  return now.toString(16).toUpperCase().padStart(18, '0');
}

// s3rver names a completed multipart upload ObjectCreated:Post; AWS names it
// ObjectCreated:CompleteMultipartUpload, so the caller tells us which request raised it.
function eventNameFor(s3rverName, isMultipartComplete) {
  if (isMultipartComplete) return 'ObjectCreated:CompleteMultipartUpload';
  return s3rverName;
}

// One s3rver record → one AWS record (eventVersion 2.1, the real ARN, the encoded key).
function toAwsRecord(raw, opts) {
  const obj = raw.s3.object;
  const bucket = raw.s3.bucket.name;
  const object = {
    key: formUrlEncodeKey(obj.key),
    size: obj.size === undefined ? undefined : Number(obj.size),
    eTag: obj.eTag,
    sequencer: nextSequencer(),
  };
  if (object.size === undefined) delete object.size;
  if (object.eTag === undefined) delete object.eTag;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: opts.region,
    eventTime: raw.eventTime || new Date().toISOString(),
    eventName: eventNameFor(raw.eventName, opts.isMultipartComplete),
    userIdentity: { principalId: `AWS:${opts.principalId || 'AIDAIMGPIPELOCAL'}` },
    requestParameters: { sourceIPAddress: opts.sourceIp || '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': crypto.randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': crypto.randomBytes(32).toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: opts.configurationId,
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3IMGPIPELOCAL' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      object,
    },
  };
}

module.exports = { formUrlEncodeKey, matchesFilter, toAwsRecord, eventNameFor, nextSequencer };
