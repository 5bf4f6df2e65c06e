// SPDX-License-Identifier: MIT
// The counting proxy both clients go through: 127.0.0.1:<any free port> -> 127.0.0.1:<target>.
// Bytes pass unchanged; every byte each way is counted (request and status lines, headers,
// bodies, chunk framing) under the current phase, and so are TCP connections and HTTP
// requests (a request is counted when its head has arrived; its body is skipped by
// Content-Length or chunked framing, so keep-alive and pipelining count right).
//
// Run as a child of the runner (child_process.fork): control travels on the IPC channel,
// never on the measured sockets.
//   child -> parent  {listening: port}
//   parent -> child  {target: port}    where new connections go from now on
//                    {phase: name}     count under name from now on
//                    {report: true}    -> {report: {phase: {connections, requests, up, down}}}
'use strict';
const net = require('net');

let target = 0;
let phase = 'idle';
const counts = {};

function tally() {
  if (!counts[phase]) counts[phase] = { connections: 0, requests: 0, up: 0, down: 0 };
  return counts[phase];
}

// Finds request heads in the client's byte stream. States: 'head' (collecting up to the
// blank line), 'body' (skipping `left` bytes), 'chunk' (reading a chunk-size line), 'data'
// (skipping a chunk and its CRLF), 'trailer' (up to the blank line after the last chunk).
class RequestCounter {
  constructor(onRequest) {
    this.onRequest = onRequest;
    this.state = 'head';
    this.pending = Buffer.alloc(0);
    this.left = 0;
  }

  push(data) {
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.pending = Buffer.alloc(0);
    for (;;) {
      if (this.state === 'body' || this.state === 'data') {
        const n = Math.min(this.left, buf.length);
        buf = buf.subarray(n);
        this.left -= n;
        if (this.left > 0) return;
        this.state = this.state === 'data' ? 'chunk' : 'head';
        continue;
      }
      const end = this.state === 'head' ? buf.indexOf('\r\n\r\n') : buf.indexOf('\r\n');
      if (end < 0) { this.pending = buf; return; }
      const text = buf.subarray(0, end).toString('latin1');
      if (this.state === 'head') {
        buf = buf.subarray(end + 4);
        this.onRequest();
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(text)) this.state = 'chunk';
        else if (length) { this.left = Number(length[1]); this.state = 'body'; }
      } else if (this.state === 'chunk') {
        buf = buf.subarray(end + 2);
        const size = parseInt(text, 16);
        if (size === 0) this.state = 'trailer';
        else { this.left = size + 2; this.state = 'data'; }
      } else { // trailer: header lines until an empty one
        buf = buf.subarray(end + 2);
        if (end === 0) this.state = 'head';
      }
    }
  }
}

module.exports = { RequestCounter };

if (require.main === module) {
  const server = net.createServer((client) => {
    tally().connections++;
    const upstream = net.connect(target, '127.0.0.1');
    const requests = new RequestCounter(() => tally().requests++);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (d) => { tally().up += d.length; requests.push(d); upstream.write(d); });
    upstream.on('data', (d) => { tally().down += d.length; client.write(d); });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });

  process.on('message', (m) => {
    if (m.target !== undefined) target = m.target;
    if (m.phase !== undefined) phase = m.phase;
    if (m.report) process.send({ report: counts });
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => process.send({ listening: server.address().port }));
}
