'use strict';
// The few S3 calls `make backfill` needs against the local S3 server (ListObjectsV2, HeadObject),
// signed with SigV4 because the server verifies signatures. No SDK: these two GET-style calls
// with an empty body are all the stack's Node side ever makes.

const crypto = require('node:crypto');
const http = require('node:http');

const EMPTY_SHA256 = crypto.createHash('sha256').update('').digest('hex');

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX.
function uriEncode(s, keepSlash) {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

// Headers for an empty-bodied request: host, x-amz-date, x-amz-content-sha256, Authorization.
function signV4({ method, host, path, query, region, accessKeyId, secretAccessKey, now = new Date() }) {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const canonicalQuery = Object.keys(query).sort()
    .map((k) => `${uriEncode(k, false)}=${uriEncode(String(query[k]), false)}`).join('&');
  const headers = { host, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': amzDate };
  const signed = Object.keys(headers).sort();
  const canonical = [method, path, canonicalQuery, ...signed.map((h) => `${h}:${headers[h]}`), '',
    signed.join(';'), EMPTY_SHA256].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope,
    crypto.createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, ` +
      `SignedHeaders=${signed.join(';')}, Signature=${signature}`,
  };
}

function xmlText(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|quot|apos|amp);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[e];
  });
}

function tag(xml, name) {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? xmlText(m[1]) : null;
}

class S3Client {
  constructor({ endpoint, region, accessKeyId, secretAccessKey }) {
    this.url = new URL(endpoint);
    Object.assign(this, { region, accessKeyId, secretAccessKey });
  }

  request(method, bucket, key, query = {}) {
    const path = `/${uriEncode(bucket, false)}${key === null ? '' : '/' + uriEncode(key, true)}`;
    const qs = Object.keys(query).sort()
      .map((k) => `${uriEncode(k, false)}=${uriEncode(String(query[k]), false)}`).join('&');
    const headers = signV4({ method, host: this.url.host, path, query, region: this.region,
      accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey });
    return new Promise((resolve, reject) => {
      const req = http.request({ hostname: this.url.hostname, port: this.url.port, method,
        path: qs ? `${path}?${qs}` : path, headers, timeout: 30000 }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end();
    });
  }

  // One page: { objects: [{ key, etag, size }], nextToken } (nextToken null on the last page).
  async listPage(bucket, { prefix = '', maxKeys = 1000, continuationToken = null } = {}) {
    const query = { 'list-type': 2, 'max-keys': maxKeys };
    if (prefix) query.prefix = prefix;
    if (continuationToken) query['continuation-token'] = continuationToken;
    const r = await this.request('GET', bucket, null, query);
    if (r.status !== 200) {
      throw new Error(`ListObjectsV2 s3://${bucket}: HTTP ${r.status} ${tag(r.body, 'Code') || ''}`.trim());
    }
    const objects = [...r.body.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map(([, c]) => ({
      key: tag(c, 'Key'),
      etag: (tag(c, 'ETag') || '').replace(/"/g, ''),
      size: Number(tag(c, 'Size')),
    }));
    const truncated = tag(r.body, 'IsTruncated') === 'true';
    return { objects, nextToken: truncated ? tag(r.body, 'NextContinuationToken') : null };
  }

  // Every object under the prefix, page by page.
  async *listAll(bucket, { prefix = '', pageSize = 1000 } = {}) {
    let continuationToken = null;
    do {
      const page = await this.listPage(bucket, { prefix, maxKeys: pageSize, continuationToken });
      yield page.objects;
      continuationToken = page.nextToken;
    } while (continuationToken);
  }

  // The object's user metadata (x-amz-meta-*, names without the prefix), or null on 404.
  async headMetadata(bucket, key) {
    const r = await this.request('HEAD', bucket, key);
    if (r.status === 404) return null;
    if (r.status !== 200) throw new Error(`HeadObject s3://${bucket}/${key}: HTTP ${r.status}`);
    const meta = {};
    for (const [k, v] of Object.entries(r.headers)) {
      if (k.startsWith('x-amz-meta-')) meta[k.slice('x-amz-meta-'.length)] = v;
    }
    return meta;
  }
}

module.exports = { S3Client, signV4, uriEncode };
