'use strict';
// The Lambda Runtime API one execution environment sees (AWS_LAMBDA_RUNTIME_API). Each worker gets
// its own server on an ephemeral port, as each real sandbox has its own endpoint, so a request on
// it can only ever concern that worker's current invocation.

const http = require('node:http');

const PREFIX = '/2018-06-01/runtime';
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024; // Lambda's synchronous response limit

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge: size > limit }));
    req.on('error', reject);
  });
}

function sendJson(res, status, obj) {
  const body = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

// handlers: next(req, res) holds `res` until an invocation arrives; response(id, body),
// error(id, body, errorTypeHeader) and initError(body, errorTypeHeader) return true when accepted.
function createRuntimeApiServer(handlers) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://runtime');
      const p = url.pathname;
      if (req.method === 'GET' && p === `${PREFIX}/invocation/next`) {
        handlers.next(req, res);
        return;
      }
      const m = p.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
      if (req.method === 'POST' && m) {
        const id = decodeURIComponent(m[1]);
        const { body, tooLarge } = await readBody(req, MAX_RESPONSE_BYTES);
        if (tooLarge && m[2] === 'response') {
          handlers.error(id, Buffer.from(JSON.stringify({
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
          })), 'Function.ResponseSizeTooLarge');
          sendJson(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: 'response too large' });
          return;
        }
        const accepted = m[2] === 'response'
          ? handlers.response(id, body)
          : handlers.error(id, body, req.headers['lambda-runtime-function-error-type']);
        if (accepted) sendJson(res, 202, { status: 'OK' });
        else sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `unknown request id ${id}` });
        return;
      }
      if (req.method === 'POST' && p === `${PREFIX}/init/error`) {
        const { body } = await readBody(req, MAX_RESPONSE_BYTES);
        handlers.initError(body, req.headers['lambda-runtime-function-error-type']);
        sendJson(res, 202, { status: 'OK' });
        return;
      }
      sendJson(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${p}` });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { errorType: 'ServiceException', errorMessage: err.message });
    }
  });
  // /next is a long poll: it may wait for minutes without a byte.
  server.requestTimeout = 0;
  server.timeout = 0;
  server.keepAliveTimeout = 60 * 60 * 1000;
  return server;
}

module.exports = { createRuntimeApiServer, readBody, sendJson };
