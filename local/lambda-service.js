'use strict';
// The local Lambda service: unzips the deployment package like Lambda does, runs IMGPIPE_WORKERS
// execution environments of its `bootstrap`, and serves the Invoke API. With IMGPIPE_TRIGGER=sqs
// it also holds the S3 notification's queue and the SQS event source mapping that feeds the
// function from it. Runs until SIGTERM/SIGINT.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const config = require('./lib/config');
const { Worker } = require('./lib/worker');
const { FunctionService } = require('./lib/function_service');
const { createInvokeApiServer } = require('./lib/invoke_api');
const { SqsQueue } = require('./lib/sqs_queue');
const { EventSourceMapping } = require('./lib/event_source_mapping');
const { appendDeadLetter, sqsDeadLetterRecord } = require('./lib/dead_letters');

const cfg = config.load();
const log = (msg) => console.log(`${new Date().toISOString()} [lambda] ${msg}`);

// Lambda unpacks the zip into /var/task; here a fresh task root in the state dir.
function prepareTaskRoot() {
  if (cfg.bootstrap) {
    const command = path.resolve(cfg.bootstrap);
    return { command, taskRoot: path.dirname(command) };
  }
  if (!fs.existsSync(cfg.lambdaZip)) {
    throw new Error(`${cfg.lambdaZip} not found: build it with \`make package\` ` +
                    '(or point IMGPIPE_LAMBDA_ZIP / IMGPIPE_BOOTSTRAP elsewhere)');
  }
  fs.rmSync(cfg.taskRoot, { recursive: true, force: true });
  fs.mkdirSync(cfg.taskRoot, { recursive: true });
  execFileSync('unzip', ['-q', '-o', cfg.lambdaZip, '-d', cfg.taskRoot], { stdio: 'inherit' });
  const command = path.join(cfg.taskRoot, 'bootstrap');
  fs.accessSync(command, fs.constants.X_OK); // Lambda refuses a package without an executable bootstrap
  return { command, taskRoot: cfg.taskRoot };
}

// The environment Lambda gives a provided.al2023 function, plus the function's own variables.
function functionEnv(taskRoot) {
  return {
    PATH: '/usr/local/bin:/usr/bin/:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LD_LIBRARY_PATH: `/lib64:/usr/lib64:${taskRoot}:${taskRoot}/lib`,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    _HANDLER: 'bootstrap',
    AWS_REGION: cfg.region,
    AWS_DEFAULT_REGION: cfg.region,
    AWS_ACCESS_KEY_ID: cfg.accessKeyId,
    AWS_SECRET_ACCESS_KEY: cfg.secretAccessKey,
    AWS_ENDPOINT_URL_S3: cfg.s3Endpoint,
    AWS_LAMBDA_FUNCTION_NAME: cfg.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${cfg.functionName}`,
    INPUT_BUCKET: cfg.inputBucket,
    OUTPUT_BUCKET: cfg.outputBucket,
    NEW_IMAGE_SIZE: '[256, 256]',
    ...cfg.functionEnv,
  };
}

// The queue S3 sends to, and the event source mapping that drains it into the function.
function sqsTrigger(service) {
  let mapping = null;
  const queue = new SqsQueue({
    dir: cfg.queueDir,
    arn: cfg.queueArn,
    visibilityTimeoutMs: cfg.sqsVisibilityTimeoutMs,
    maxReceiveCount: cfg.sqsMaxReceiveCount,
    onRedrive: (m) => {
      const lastFailure = mapping.lastFailure.get(m.messageId);
      mapping.lastFailure.delete(m.messageId);
      appendDeadLetter(cfg.deadLetterFile, sqsDeadLetterRecord(m, {
        queueArn: cfg.queueArn, deadLetterQueueArn: cfg.deadLetterQueueArn, lastFailure,
      }));
      mapping.stats.deadLettered += 1;
      log(`SQS message ${m.messageId}: received ${m.receiveCount} times → ${cfg.deadLetterFile}`);
    },
  });
  mapping = new EventSourceMapping({
    queue,
    service,
    batchSize: cfg.sqsBatchSize,
    batchWindowMs: cfg.sqsBatchWindowMs,
    maxConcurrency: cfg.sqsMaxConcurrency,
    region: cfg.region,
    journalFile: cfg.sqsJournalFile,
    log,
  });
  return mapping;
}

async function main() {
  fs.mkdirSync(cfg.logDir, { recursive: true });
  const { command, taskRoot } = prepareTaskRoot();
  const env = functionEnv(taskRoot);
  const workers = [];
  for (let i = 1; i <= cfg.workers; i++) {
    workers.push(new Worker({
      id: i,
      command,
      cwd: taskRoot,
      env: { ...env, AWS_LAMBDA_LOG_STREAM_NAME: `worker-${i}` },
      logFile: path.join(cfg.logDir, `worker-${i}.log`),
      timeoutMs: cfg.timeoutMs,
      functionArn: cfg.functionArn,
    }));
  }
  const service = new FunctionService({ cfg, workers, log });
  const mapping = cfg.trigger === 'sqs' ? sqsTrigger(service) : null;
  const server = createInvokeApiServer({
    cfg,
    service,
    status: () => {
      const s = service.status();
      if (!mapping) return s;
      const sqs = mapping.status();
      return { ...s, sqs, idle: s.idle && sqs.idle };
    },
    sendMessage: (queueName, body) => {
      if (!mapping || queueName !== cfg.queueName) return null;
      const m = mapping.queue.send(body);
      mapping.tick();
      return m;
    },
  });
  // Bind the public port first: if it is taken, fail before any worker process exists.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.lambdaPort, '127.0.0.1', resolve);
  });
  await Promise.all(workers.map((w) => w.start()));
  log(`Invoke API on http://127.0.0.1:${server.address().port} for ${cfg.functionName}: ` +
      `${cfg.workers} worker(s) of ${command}, timeout ${cfg.timeoutMs} ms, ` +
      `retries ${cfg.maxRetries} after ${cfg.retryDelaysMs.join('/')} ms`);
  if (mapping) {
    log(`SQS trigger: queue ${cfg.queueArn} (${mapping.queue.size()} message(s) kept from before), ` +
        `batches of ${cfg.sqsBatchSize} within ${cfg.sqsBatchWindowMs} ms, ` +
        `${cfg.sqsMaxConcurrency} at a time, visibility ${cfg.sqsVisibilityTimeoutMs} ms, ` +
        `dead letter after ${cfg.sqsMaxReceiveCount} receive(s)`);
    mapping.tick();
  }

  let stopping = false;
  const shutdown = async (sig) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping`);
    if (mapping) mapping.stop();
    service.stop();
    server.closeAllConnections();
    server.close();
    await Promise.all(workers.map((w) => w.stop()));
    process.exit(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`lambda-service: ${err.message}`);
  process.exit(1);
});
