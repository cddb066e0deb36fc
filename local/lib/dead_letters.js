'use strict';
// The dead-letter file (STATE/dead-letters.jsonl), one JSON object per line, shared by both
// triggers. Direct delivery writes Lambda's on-failure destination record; the SQS trigger writes
// the same outline (version, timestamp, requestContext, requestPayload = the S3 event,
// responsePayload = the last failure) with the message SQS moved to its dead-letter queue under
// `message`, so one reader finds the object of either kind at requestPayload.Records[0].

const fs = require('node:fs');
const { parseJsonOr } = require('./json');

function appendDeadLetter(file, record) {
  fs.appendFileSync(file, JSON.stringify(record) + '\n');
}

// A message SQS's redrive policy moved to the dead-letter queue after `maxReceiveCount` receives.
function sqsDeadLetterRecord(message, { queueArn, deadLetterQueueArn, lastFailure }) {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      condition: 'MaxReceiveCountExceeded',
      approximateReceiveCount: message.receiveCount,
      eventSourceARN: queueArn,
      deadLetterQueueARN: deadLetterQueueArn,
    },
    requestPayload: parseJsonOr(Buffer.from(message.body), message.body),
    message: {
      messageId: message.messageId,
      body: message.body,
      md5OfBody: message.md5OfBody,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        DeadLetterQueueSourceArn: queueArn,
      },
    },
    responsePayload: lastFailure || null,
  };
}

module.exports = { appendDeadLetter, sqsDeadLetterRecord };
