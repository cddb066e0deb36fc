'use strict';
// Bodies posted by the function and payloads sent by callers are usually JSON but may be any
// bytes; the local Lambda service keeps them either way, as Lambda does.

function parseJsonOr(buf, fallback) {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return fallback;
  }
}

module.exports = { parseJsonOr };
