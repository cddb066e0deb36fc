'use strict';
// Lambda's public Invoke API (POST /2015-03-31/functions/{name}/invocations), enough for
// `aws lambda invoke --endpoint-url ...` and for the S3 notification. Requests are not
// signature-checked: the endpoint only listens on 127.0.0.1. Also a small non-AWS surface under
// /_local/ for scripts and tests (health, status), and, with the SQS trigger, the queue's
// SendMessage for the S3 notification (POST /_local/sqs/{queue}: the body is the message).

const http = require('node:http');
const { readBody, sendJson } = require('./runtime_api');

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 256 * 1024;

function awsError(res, status, type, message) {
  const body = Buffer.from(JSON.stringify({ Type: 'User', message }));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'x-amzn-ErrorType': type,
  });
  res.end(body);
}

// Accepts a name, a full or partial ARN, with an optional :$LATEST qualifier, as Lambda does.
function functionMatches(ref, cfg) {
  const name = ref.replace(/:\$LATEST$/, '');
  return name === cfg.functionName || name === cfg.functionArn ||
    name === `${cfg.accountId}:function:${cfg.functionName}`;
}

const MESSAGE_LIMIT = 256 * 1024; // SQS's largest message

// status(): the service's counters (and the queue's); sendMessage(queueName, body) returns the
// message, or null when no such queue exists.
function createInvokeApiServer({ cfg, service, status = () => service.status(), sendMessage = () => null }) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://lambda');
      if (url.pathname === '/_local/health') return sendJson(res, 200, { ok: true });
      if (url.pathname === '/_local/status') return sendJson(res, 200, status());
      const q = url.pathname.match(/^\/_local\/sqs\/([^/]+)$/);
      if (q && req.method === 'POST') {
        const { body, tooLarge } = await readBody(req, MESSAGE_LIMIT);
        if (tooLarge) return awsError(res, 400, 'InvalidParameterValue', `message over ${MESSAGE_LIMIT} bytes`);
        const m = sendMessage(decodeURIComponent(q[1]), body.toString('utf8'));
        if (!m) return awsError(res, 400, 'AWS.SimpleQueueService.NonExistentQueue', `no queue ${q[1]}`);
        return sendJson(res, 200, { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody });
      }
      const m = url.pathname.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations$/);
      if (!m || req.method !== 'POST') {
        return awsError(res, 404, 'UnknownOperationException', `${req.method} ${url.pathname}`);
      }
      const ref = decodeURIComponent(m[1]);
      const qualifier = url.searchParams.get('Qualifier');
      if (!functionMatches(ref, cfg) || (qualifier && qualifier !== '$LATEST')) {
        return awsError(res, 404, 'ResourceNotFoundException',
          `Function not found: ${cfg.functionArn}${qualifier ? ':' + qualifier : ''}`);
      }
      const type = req.headers['x-amz-invocation-type'] || 'RequestResponse';
      if (!['Event', 'RequestResponse', 'DryRun'].includes(type)) {
        return awsError(res, 400, 'InvalidParameterValueException', `Invalid invocation type: ${type}`);
      }
      const limit = type === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
      let { body, tooLarge } = await readBody(req, limit);
      if (tooLarge) {
        return awsError(res, 413, 'RequestEntityTooLargeException',
          `Request must be smaller than ${limit} bytes for the ${type} invocation type`);
      }
      if (body.length === 0) body = Buffer.from('{}');
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        return awsError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      }
      if (type === 'DryRun') {
        res.writeHead(204);
        return res.end();
      }
      const inv = service.invoke(body, type);
      if (type === 'Event') {
        res.writeHead(202, { 'x-amzn-RequestId': inv.requestId, 'Content-Length': 0 });
        return res.end();
      }
      const outcome = await inv.result;
      const out = outcome.ok ? outcome.body : Buffer.from(JSON.stringify(outcome.body));
      const headers = {
        'Content-Type': 'application/json',
        'Content-Length': out.length,
        'x-amzn-RequestId': inv.requestId,
        'X-Amz-Executed-Version': '$LATEST',
      };
      if (!outcome.ok) headers['X-Amz-Function-Error'] = 'Unhandled';
      if ((req.headers['x-amz-log-type'] || '') === 'Tail') {
        headers['X-Amz-Log-Result'] = outcome.logTail.toString('base64');
      }
      res.writeHead(200, headers);
      return res.end(out);
    } catch (err) {
      if (!res.headersSent) awsError(res, 500, 'ServiceException', err.message);
    }
  });
  server.requestTimeout = 0; // a RequestResponse call lasts as long as the function runs
  return server;
}

module.exports = { createInvokeApiServer, functionMatches };
