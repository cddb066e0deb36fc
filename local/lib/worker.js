'use strict';
// One execution environment: a real `bootstrap` process, its Runtime API endpoint and its log file.
// It runs one invocation at a time. Like Lambda, a timeout kills the whole process (group) and a
// fresh one is started; a crash mid-invocation fails that invocation with Runtime.ExitError.

const fs = require('node:fs');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');
const { createRuntimeApiServer } = require('./runtime_api');
const { parseJsonOr } = require('./json');

const LOG_TAIL_BYTES = 4096; // what Invoke's X-Amz-Log-Result carries
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5000;

function traceId() {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${crypto.randomBytes(12).toString('hex')};` +
         `Parent=${crypto.randomBytes(8).toString('hex')};Sampled=0`;
}

// Events: 'ready' (waiting in /next), 'done' (invocation, outcome), 'initFailed' (error object):
// the process died before its first /next, so Lambda would fail the invocation that woke it.
class Worker extends EventEmitter {
  constructor({ id, command, cwd, env, logFile, timeoutMs, functionArn }) {
    super();
    Object.assign(this, { id, command, cwd, env, logFile, timeoutMs, functionArn });
    this.proc = null;
    this.pendingNext = null; // the held GET /next response while idle
    this.current = null; // { inv, timer, startedAt, logStart, timedOut }
    this.initError = null;
    this.readyThisLife = false;
    this.restartDelay = RESTART_MIN_MS;
    this.stopped = false;
    this.startCount = 0;
    this.server = createRuntimeApiServer({
      next: (req, res) => this.onNext(req, res),
      response: (id, body) => this.onResult(id, { ok: true, body }),
      error: (id, body, type) => this.onResult(id, {
        ok: false,
        body: parseJsonOr(body, { errorType: type || 'Runtime.Unknown', errorMessage: body.toString('utf8') }),
      }),
      initError: (body, type) => {
        this.initError = parseJsonOr(body, { errorType: type || 'Runtime.InitError', errorMessage: body.toString('utf8') });
        this.platformLog(`INIT_REPORT Status: error Error Type: ${this.initError.errorType || type}`);
      },
    });
  }

  get idle() {
    return this.pendingNext !== null && this.current === null;
  }

  get busyWith() {
    return this.current ? this.current.inv.requestId : null;
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.runtimeApi = `127.0.0.1:${this.server.address().port}`;
    this.logFd = fs.openSync(this.logFile, 'a+'); // + : read back for X-Amz-Log-Result
    this.spawnProcess();
  }

  platformLog(line) {
    if (this.logFd !== undefined) fs.writeSync(this.logFd, `${line}\n`);
  }

  spawnProcess() {
    if (this.stopped) return;
    this.initError = null;
    this.readyThisLife = false;
    this.startCount += 1;
    const env = { ...this.env, AWS_LAMBDA_RUNTIME_API: this.runtimeApi };
    // Its own process group, so a kill takes the launcher script and the binary together.
    const proc = spawn(this.command, [], {
      cwd: this.cwd, env, detached: true, stdio: ['ignore', this.logFd, this.logFd],
    });
    this.proc = proc;
    this.platformLog(`[lambda-local] worker ${this.id}: started ${this.command} pid ${proc.pid}`);
    proc.on('error', (err) => {
      this.platformLog(`[lambda-local] worker ${this.id}: spawn failed: ${err.message}`);
      // A process that never started may emit no 'exit': treat the failure as one.
      if (proc.pid === undefined) this.onExit(proc, -1, null);
    });
    proc.on('exit', (code, signal) => this.onExit(proc, code, signal));
  }

  onNext(req, res) {
    if (this.pendingNext) this.pendingNext.destroy();
    this.pendingNext = res;
    if (!this.readyThisLife) {
      this.readyThisLife = true;
      this.restartDelay = RESTART_MIN_MS;
    }
    // The runtime's connection is kept alive across invocations: listen on this response (not
    // the socket, which would collect one listener per invocation).
    res.once('close', () => {
      if (this.pendingNext === res) this.pendingNext = null;
    });
    if (!this.current) this.emit('ready', this);
  }

  // Hands one invocation to the waiting runtime. Caller checks `idle` first.
  assign(inv) {
    const res = this.pendingNext;
    this.pendingNext = null;
    const deadline = Date.now() + this.timeoutMs;
    const current = { inv, startedAt: process.hrtime.bigint(), logStart: fs.fstatSync(this.logFd).size, timedOut: false };
    this.platformLog(`START RequestId: ${inv.requestId} Version: $LATEST`);
    current.timer = setTimeout(() => this.onTimeout(current), this.timeoutMs);
    this.current = current;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': inv.payload.length,
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadline),
      'Lambda-Runtime-Invoked-Function-Arn': this.functionArn,
      'Lambda-Runtime-Trace-Id': traceId(),
    });
    res.end(inv.payload);
  }

  onResult(requestId, outcome) {
    const current = this.current;
    if (!current || current.inv.requestId !== requestId || current.timedOut) return false;
    this.finish(current, outcome);
    return true;
  }

  finish(current, outcome, statusNote = '') {
    clearTimeout(current.timer);
    this.current = null;
    const ms = Number(process.hrtime.bigint() - current.startedAt) / 1e6;
    this.platformLog(`END RequestId: ${current.inv.requestId}`);
    this.platformLog(`REPORT RequestId: ${current.inv.requestId}\tDuration: ${ms.toFixed(2)} ms\t` +
                     `Billed Duration: ${Math.ceil(ms)} ms${statusNote}`);
    outcome.durationMs = ms;
    outcome.logTail = this.readLogTail(current.logStart);
    this.emit('done', current.inv, outcome, this);
    if (this.idle) this.emit('ready', this);
  }

  readLogTail(from) {
    const end = fs.fstatSync(this.logFd).size;
    const start = Math.max(from, end - LOG_TAIL_BYTES);
    const buf = Buffer.alloc(end - start);
    fs.readSync(this.logFd, buf, 0, buf.length, start);
    return buf;
  }

  onTimeout(current) {
    if (this.current !== current) return;
    current.timedOut = true;
    const secs = (this.timeoutMs / 1000).toFixed(2);
    this.platformLog(`${new Date().toISOString()} ${current.inv.requestId} Task timed out after ${secs} seconds`);
    this.kill('SIGKILL');
  }

  kill(signal) {
    if (!this.proc) return;
    try {
      process.kill(-this.proc.pid, signal);
    } catch {
      // already gone
    }
  }

  onExit(proc, code, signal) {
    if (this.proc !== proc) return;
    this.proc = null;
    // The sandbox dies as a whole: a launcher's children (or an orphan left by a kill of the
    // launcher alone) must not keep polling this worker's Runtime API.
    try {
      if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // the group is already empty
    }
    if (this.pendingNext) {
      this.pendingNext.destroy();
      this.pendingNext = null;
    }
    const how = signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code}`;
    this.platformLog(`[lambda-local] worker ${this.id}: pid ${proc.pid} exited (${how})`);
    const current = this.current;
    let restartDelay;
    if (current) {
      const id = current.inv.requestId;
      const body = current.timedOut
        ? { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds` }
        : { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: ${how}` };
      this.finish(current, { ok: false, body }, current.timedOut ? '\tStatus: timeout' : '\tStatus: error');
      restartDelay = 0; // a fresh sandbox, as Lambda would start for the next event
    } else {
      if (!this.readyThisLife && !this.stopped) {
        this.emit('initFailed', this.initError ||
          { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited before init completed: ${how}` }, this);
      }
      restartDelay = this.restartDelay;
      // A runtime that keeps dying at init must not spin: back off up to RESTART_MAX_MS.
      if (!this.readyThisLife) this.restartDelay = Math.min(RESTART_MAX_MS, this.restartDelay * 2);
    }
    if (!this.stopped) setTimeout(() => this.spawnProcess(), restartDelay);
  }

  async stop() {
    this.stopped = true;
    if (this.current) clearTimeout(this.current.timer);
    const proc = this.proc;
    if (proc) {
      const exited = new Promise((r) => proc.once('exit', r));
      this.kill('SIGTERM');
      const t = setTimeout(() => this.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(t);
    }
    if (this.pendingNext) this.pendingNext.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    this.logFd = undefined;
  }

  status() {
    return {
      id: this.id,
      pid: this.proc ? this.proc.pid : null,
      state: this.current ? 'busy' : this.pendingNext ? 'idle' : this.proc ? 'starting' : 'restarting',
      requestId: this.busyWith,
      payload: this.current ? this.current.inv.payloadSummary : null,
      starts: this.startCount,
      runtimeApi: this.runtimeApi,
      logFile: this.logFile,
    };
  }
}

module.exports = { Worker };
