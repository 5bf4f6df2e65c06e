// SPDX-License-Identifier: MIT
// Checks the bench's own pieces (node only, no modules): the campus is deterministic and has
// the documented counts, and the proxy counts known requests exactly (bytes both ways, heads
// included; requests over keep-alive, with a Content-Length body, a chunked body and two
// pipelined in one write). `bench/peers/run` runs it first; alone: node bench/peers/test.js
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const http = require('http');
const net = require('net');
const path = require('path');
const { fork } = require('child_process');
const campus = require('./campus.js');

function test_campus_is_deterministic_with_documented_counts() {
  const digest = (c) => crypto.createHash('sha256').update(campus.jsonl(c.initial)).update(campus.jsonl(c.delta)).digest('hex');
  const a = campus.build(1), b = campus.build(1);
  assert.strictEqual(digest(a), digest(b), 'two builds of scale 1 differ');
  assert.deepStrictEqual(campus.counts(a.initial), { course: 200, module: 50, item: 400, question: 500, topic: 100, reply: 1000, enrollment: 5, progress: 40 });
  assert.strictEqual(a.initial.length, 2295);
  assert.deepStrictEqual(campus.counts(a.delta), { reply: 10, item: 2, 'reply (deleted)': 1 });
  const ten = campus.build(10);
  assert.strictEqual(ten.initial.length, 22905);
  assert.notStrictEqual(digest(ten), digest(a));
  const ids = new Set(a.initial.map((r) => r.id));
  assert.strictEqual(ids.size, a.initial.length, 'ids repeat');
  // the delta edits two pages the campus has, deletes a reply it has, adds new replies
  for (const d of a.delta) assert.strictEqual(ids.has(d.id), d.type === 'item' || !!d._deleted, `delta row ${d.type} ${d.id}`);
  const f = campus.floor(a.initial);
  assert.ok(f.gzip6_bytes > 0 && f.gzip6_bytes < f.raw_bytes / 2, `gzip -6 floor ${f.gzip6_bytes} of ${f.raw_bytes}`);
}

async function test_proxy_counts_known_requests_exactly() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.setHeader('Content-Type', 'text/plain'); res.end('ok ' + req.url); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = fork(path.join(__dirname, 'proxy.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((r) => proxy.once('message', (m) => r(m.listening)));
  const ask = (m) => new Promise((r) => { proxy.once('message', (x) => r(x.report)); proxy.send(m); });
  try {
    proxy.send({ target: server.address().port, phase: 'known' });
    // four requests, pipelined, sent in two writes that split the second head: a counter
    // that frames a body wrongly sees too many or too few
    const wire = 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
      'POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nd\r\nGET /x HTTP/1\r\n0\r\n\r\n' +
      'GET /c HTTP/1.1\r\nHost: x\r\n\r\nGET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const down = await new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let text = '';
      sock.on('data', (d) => (text += d.toString('latin1')));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
      sock.write(wire.slice(0, 70));
      setTimeout(() => sock.write(wire.slice(70)), 30);
    });
    const up = Buffer.byteLength(wire);
    assert.deepStrictEqual(down.match(/ok \/[a-d]/g), ['ok /a', 'ok /b', 'ok /c', 'ok /d'], 'the server saw other requests');
    await new Promise((r) => setTimeout(r, 50));
    const rep = await ask({ report: true });
    assert.deepStrictEqual(rep.known, { connections: 1, requests: 4, up, down: Buffer.byteLength(down, 'latin1') });
  } finally {
    proxy.disconnect();
    server.close();
  }
}

(async () => {
  test_campus_is_deterministic_with_documented_counts();
  await test_proxy_counts_known_requests_exactly();
  console.log('bench/peers/test.js: 2 passed');
})().catch((e) => { console.error(`bench/peers/test.js: FAIL: ${e.stack || e}`); process.exit(1); });
