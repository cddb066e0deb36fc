'use strict';
// s3rver joins bucket and key into a filesystem path, so a `.` or `..` segment would read or
// write outside its data directory (a key "../../tmp/x" wrote to /tmp/x). AWS treats such keys
// as literal names; the local stack refuses them instead, since it cannot store them safely.

// True when any '/'-separated segment of `path`, raw or percent-decoded, is '.' or '..'.
function hasDotSegment(path) {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape cannot decode to a dot; the raw form is still checked.
  }
  return [path, decoded].some((p) => p.split('/').some((s) => s === '.' || s === '..'));
}

module.exports = { hasDotSegment };
