// SPDX-License-Identifier: MIT
// Lectern side by side with PouchDB: the real `lectern sync` against a real lecternd, and
// PouchDB 9 replicating (one-shot PouchDB.replicate(remote -> local), memory adapter) from
// express-pouchdb, on the same campus (campus.js), through the same counting proxy
// (proxy.js). Per scale, N interleaved pairs (one PouchDB run, then one Lectern run, so both
// see the same machine load); each run has the phases
//   initial      an empty replica syncs everything
//   incremental  after the delta was applied on the server directly (not through the proxy)
//   noop         nothing changed
// and Lectern's also (login) before and (verify) `lectern sync --verify` after. Prints one
// Markdown table per scale: requests / bytes both ways (heads included) / wall ms, medians of
// the pairs, the ratios Lectern/PouchDB (ms: median of the per-pair ratios, min-max), and the
// gzip -6 floors of the campus and of the delta. Then the throughput table: wrk (keep-alive)
// on lecternd's no-op POST /api/v1/sync (the exact body `lectern sync` sends) and on
// express-pouchdb's no-op GET /campus/_changes?style=all_docs&since=<last>&limit=100 (what
// PouchDB's replicator sends), alternated, same connection count.
//
// Use bench/peers/run (installs the node modules and wrk first). Options:
//   --build DIR           meson build with server-stub/lecternd and tui/lectern (default: build/
//                         of this source tree)
//   --scales 1,10         campus scales for the sync tables
//   --pairs N             interleaved pairs per scale (default 5)
//   --throughput-scales   scales for the throughput table (default: --scales; add 100 if you
//                         have the time: its campus is loaded once, then cached)
//   --connections 1,16    wrk connection counts (default 1,16; --quick: 16)
//   --seconds S           wrk duration per point (default 5)
//   --rounds N            alternations of the two servers per throughput point (default 3)
//   --quick               --pairs 1 --seconds 2 --rounds 1 --connections 16
//   --cache DIR           loaded lecternd databases (default $XDG_CACHE_HOME/lectern-bench-peers)
//   --reload              load the lecternd databases again instead of using the cache
//   --load-only           fill the cache for the scales and stop (no measurement)
//   --json FILE           everything measured, as JSON
// The wall time of a Lectern phase is the whole `lectern` process (start, HTTP, SQLite
// apply, exit); PouchDB's is replicate() inside this running node process.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn, spawnSync, fork, execFileSync } = require('child_process');
const { performance } = require('perf_hooks');
const campusLib = require('./campus.js');
const lecternLoad = require('./lectern-load.js');

const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));

const argv = process.argv.slice(2);
const has = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt; };
const list = (s) => s.split(',').filter(Boolean).map(Number);
const QUICK = has('quick');
const BUILD = path.resolve(opt('build', path.join(__dirname, '..', '..', 'build')));
const SCALES = list(opt('scales', '1,10'));
const PAIRS = Number(opt('pairs', QUICK ? '1' : '5'));
const TSCALES = list(opt('throughput-scales', SCALES.join(',')));
const CONNS = list(opt('connections', QUICK ? '16' : '1,16'));
const SECONDS = Number(opt('seconds', QUICK ? '2' : '5'));
const ROUNDS = Number(opt('rounds', QUICK ? '1' : '3'));
const CACHE = path.resolve(opt('cache', path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lectern-bench-peers')));
const RELOAD = has('reload');
const LOAD_ONLY = has('load-only');
const JSON_OUT = opt('json', '');
const LECTERND = path.join(BUILD, 'server-stub', 'lecternd');
const LECTERN = path.join(BUILD, 'tui', 'lectern');
const ADMIN_PASSWORD = 'lectern-bench-admin';
for (const [what, n] of [['--pairs', PAIRS], ['--seconds', SECONDS], ['--rounds', ROUNDS]]) {
  if (!Number.isInteger(n) || n < 1) { console.error(`run: ${what} wants a positive integer`); process.exit(1); }
}
for (const s of [...SCALES, ...TSCALES, ...CONNS]) {
  if (!Number.isInteger(s) || s < 1) { console.error('run: --scales, --throughput-scales and --connections want positive integers'); process.exit(1); }
}
for (const exe of [LECTERND, LECTERN]) {
  if (!fs.existsSync(exe)) { console.error(`run: no ${exe}: build first (meson setup ${BUILD} && ninja -C ${BUILD}) or pass --build DIR`); process.exit(1); }
}

const say = (msg) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-peers-'));
const children = new Set(); // stopped by pid on the way out

process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, 'SIGTERM'); } catch (e) { /* gone */ } }
  fs.rmSync(WORK, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

// ---- children --------------------------------------------------------------------------

function forkChild(script) {
  const child = fork(path.join(__dirname, script), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.listening }));
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before listening`)));
  });
}

function stop(child) {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => { child.once('exit', resolve); process.kill(child.pid, 'SIGTERM'); });
}

async function startLecternd(db) {
  const child = spawn(LECTERND, ['--listen', '127.0.0.1:0', '--db', db], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.add(child);
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`lecternd exited (${code}) before listening: ${out}`)));
  });
  return { child, port };
}

class Proxy {
  async start() { Object.assign(this, await forkChild('proxy.js')); }
  send(m) { this.child.send(m); }
  report() {
    return new Promise((resolve) => { this.child.once('message', (m) => resolve(m.report)); this.send({ report: true }); });
  }
}

function lectern(port, dataDir, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(LECTERN, ['--server', `http://127.0.0.1:${port}`, '--data-dir', dataDir, ...args],
      { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`lectern ${args.join(' ')} -> ${code}: ${err.trim()}`));
      else resolve({ ms, out, err });
    });
    if (input !== undefined) {
      child.stdin.on('error', () => {}); // a lectern that failed early closed it: its exit status says why
      child.stdin.end(input);
    }
  });
}

function request(port, method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent: false,
      headers: { accept: 'application/json', ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers } },
    (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        if (res.statusCode >= 400) return reject(new Error(`${method} ${p}: ${res.statusCode} ${text.slice(0, 300)}`));
        resolve(text ? JSON.parse(text) : null);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

// ---- the loaded lecternd database, cached per scale --------------------------------------

function dbFiles(db) { return [db, `${db}-wal`, `${db}-shm`]; }

// The cache key names everything that decides the loaded data: the campus, the loader.
async function lecterndDb(scale, campus) {
  const dir = path.join(CACHE, `campus-v${campusLib.VERSION}-x${scale}`);
  const db = path.join(dir, 'server.db');
  if (fs.existsSync(db) && !RELOAD) return db;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `loading-${process.pid}.db`);
  for (const f of [...dbFiles(tmp), ...dbFiles(db)]) fs.rmSync(f, { force: true });
  const made = spawnSync(LECTERND, ['--db', tmp, '--create-user', 'admin', '--role', 'admin'], { input: `${ADMIN_PASSWORD}\n` });
  if (made.status !== 0) throw new Error(`lecternd --create-user: ${made.stderr}`);
  const t0 = performance.now();
  say(`scale ${scale}: loading ${fmt(campus.initial.length)} rows into lecternd over REST (once; cached in ${dir})`);
  const srv = await startLecternd(tmp);
  let loaded;
  try {
    loaded = await lecternLoad.loadInitial(srv.port, campus, { adminPassword: ADMIN_PASSWORD, say: (m) => say(`scale ${scale}: ${m}`) });
  } finally {
    await stop(srv.child); // SIGTERM: lecternd checkpoints its WAL into the file as it stops
  }
  if (fs.existsSync(`${tmp}-wal`) && fs.statSync(`${tmp}-wal`).size > 0) throw new Error(`${tmp}-wal left after lecternd stopped`);
  for (const f of dbFiles(tmp).slice(1)) fs.rmSync(f, { force: true });
  fs.renameSync(tmp, db);
  fs.writeFileSync(path.join(dir, 'loaded.json'), JSON.stringify({ scale, rows: campus.initial.length, requests: loaded.requests,
    seconds: +((performance.now() - t0) / 1000).toFixed(1), lecternd: LECTERND, when: new Date().toISOString() }, null, 1) + '\n');
  say(`scale ${scale}: loaded with ${fmt(loaded.requests)} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return db;
}

// ---- one run of each system ------------------------------------------------------------

async function phase(proxy, name, fn) {
  proxy.send({ phase: name });
  const r = await fn();
  await sleep(20);
  proxy.send({ phase: 'between' });
  return r;
}

function counted(report, names) {
  const out = {};
  for (const n of names) {
    const c = report[n] || { connections: 0, requests: 0, up: 0, down: 0 };
    out[n] = { requests: c.requests, connections: c.connections, up: c.up, down: c.down, bytes: c.up + c.down };
  }
  return out;
}

async function pouchLoad(port, rows) {
  const docs = rows.map(({ id, ...rest }) => ({ _id: id, ...rest }));
  for (let i = 0; i < docs.length; i += 1000) {
    const res = await request(port, 'POST', '/campus/_bulk_docs', { docs: docs.slice(i, i + 1000) });
    const bad = res.filter((r) => r.error);
    if (bad.length) throw new Error(`_bulk_docs: ${JSON.stringify(bad[0])}`);
  }
}

async function pouchDelta(port, delta) {
  const cur = await request(port, 'POST', '/campus/_all_docs', { keys: delta.map((r) => r.id) });
  const rev = new Map(cur.rows.filter((r) => r.value && !r.value.deleted).map((r) => [r.id, r.value.rev]));
  const docs = delta.map(({ id, ...rest }) => {
    const d = rest._deleted ? { _id: id, _deleted: true } : { _id: id, ...rest };
    if (rev.has(id)) d._rev = rev.get(id);
    return d;
  });
  const res = await request(port, 'POST', '/campus/_bulk_docs', { docs });
  if (res.some((r) => r.error)) throw new Error(`delta _bulk_docs: ${JSON.stringify(res)}`);
}

// One PouchDB run. Returns the phases and, with keep, the live server for the throughput.
async function pouchRun(proxy, campus, k, keep) {
  const srv = await forkChild('pouch-server.js');
  try {
    await pouchLoad(srv.port, campus.initial);
    proxy.send({ target: srv.port });
    const local = new PouchDB(`peers-local-${process.pid}-${k}`, { adapter: 'memory' });
    const remote = new PouchDB(`http://127.0.0.1:${proxy.port}/campus`);
    const ms = {};
    for (const name of ['initial', 'incremental', 'noop']) {
      if (name === 'incremental') await pouchDelta(srv.port, campus.delta);
      ms[name] = await phase(proxy, `pouch-${name}-${k}`, async () => {
        const t0 = performance.now();
        const info = await PouchDB.replicate(remote, local);
        if (!info.ok || info.doc_write_failures) throw new Error(`PouchDB ${name}: ${JSON.stringify(info)}`);
        return performance.now() - t0;
      });
    }
    // the replica must hold exactly what the server has (ids and revs)
    const want = await request(srv.port, 'GET', '/campus/_all_docs');
    const got = await local.allDocs();
    const revs = new Map(got.rows.map((r) => [r.id, r.value.rev]));
    if (want.rows.length !== got.rows.length || want.rows.some((r) => revs.get(r.id) !== r.value.rev)) {
      throw new Error(`PouchDB replica differs from the server (${got.rows.length} docs, server ${want.rows.length})`);
    }
    await local.destroy();
    const rep = counted(await proxy.report(), ['initial', 'incremental', 'noop'].map((n) => `pouch-${n}-${k}`));
    const out = {};
    for (const n of ['initial', 'incremental', 'noop']) out[n] = { ...rep[`pouch-${n}-${k}`], ms: ms[n] };
    return { phases: out, server: keep ? srv : null };
  } finally {
    if (!keep) await stop(srv.child);
  }
}

async function lecternRun(proxy, campus, db, k, keep) {
  const dir = fs.mkdtempSync(path.join(WORK, 'lectern-'));
  fs.copyFileSync(db, path.join(dir, 'server.db'));
  const replica = path.join(dir, 'replica');
  const srv = await startLecternd(path.join(dir, 'server.db'));
  try {
    proxy.send({ target: srv.port });
    const ms = {};
    ms.login = await phase(proxy, `lectern-login-${k}`,
      async () => (await lectern(proxy.port, replica, ['login', 'learner'], { input: `${lecternLoad.PASSWORD}\n` })).ms);
    for (const name of ['initial', 'incremental', 'noop', 'verify']) {
      if (name === 'incremental') await lecternLoad.applyDelta(srv.port, campus);
      ms[name] = await phase(proxy, `lectern-${name}-${k}`,
        async () => (await lectern(proxy.port, replica, name === 'verify' ? ['sync', '--verify'] : ['sync'])).ms);
    }
    const names = ['login', 'initial', 'incremental', 'noop', 'verify'];
    const rep = counted(await proxy.report(), names.map((n) => `lectern-${n}-${k}`));
    const out = {};
    for (const n of names) out[n] = { ...rep[`lectern-${n}-${k}`], ms: ms[n] };
    return { phases: out, server: keep ? { ...srv, replica } : null };
  } finally {
    if (!keep) { await stop(srv.child); fs.rmSync(dir, { recursive: true, force: true }); }
  }
}

// A scale measured for throughput only: both servers loaded, the learner's replica synced
// once (for the exact no-op body), no counted phases.
async function throughputOnly(campus, db) {
  const keptP = await forkChild('pouch-server.js');
  await pouchLoad(keptP.port, campus.initial);
  const dir = fs.mkdtempSync(path.join(WORK, 'lectern-'));
  fs.copyFileSync(db, path.join(dir, 'server.db'));
  const keptL = { ...await startLecternd(path.join(dir, 'server.db')), replica: path.join(dir, 'replica') };
  await lectern(keptL.port, keptL.replica, ['login', 'learner'], { input: `${lecternLoad.PASSWORD}\n` });
  const t0 = performance.now();
  await lectern(keptL.port, keptL.replica, ['sync']);
  say(`scale ${campus.scale}: the learner's replica synced in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { keptP, keptL };
}

// ---- throughput with wrk -----------------------------------------------------------------

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// user + system CPU seconds a process has used so far (/proc/PID/stat fields 14 and 15)
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

// One wrk run against the server process `pid`; besides wrk's figures, the server's CPU
// time per request, which the load of the machine changes less than the rate.
function wrk(args, pid) {
  const cpu0 = cpuSeconds(pid);
  const r = spawnSync('wrk', ['--latency', ...args], { encoding: 'utf8' });
  const cpu = cpuSeconds(pid) - cpu0;
  if (r.status !== 0) throw new Error(`wrk ${args.join(' ')}: ${r.stderr || r.stdout}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const total = /(\d+) requests in/.exec(r.stdout);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)\b/.exec(r.stdout);
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout);
  const errs = /Socket errors:(.*)/.exec(r.stdout);
  if (!rps || !total) throw new Error(`wrk said: ${r.stdout}`);
  const unit = { us: 0.001, ms: 1, s: 1000 };
  return { rps: Number(rps[1]), p50_ms: p50 ? Number(p50[1]) * unit[p50[2]] : null, requests: Number(total[1]),
    cpu_us_per_request: Number(total[1]) ? (cpu * 1e6) / Number(total[1]) : null,
    non2xx: bad ? Number(bad[1]) : 0, socket_errors: errs ? errs[1].trim() : '' };
}

async function throughput(scale, lsrv, psrv) {
  // the exact no-op body `lectern sync` sends, from its debug log
  const dbg = await lectern(lsrv.port, lsrv.replica, ['sync'], { env: { LECTERN_DEBUG: '1' } });
  const sent = /sync: sent (\{.*\})$/m.exec(dbg.err);
  const got = /sync: got (\{.*\})$/m.exec(dbg.err);
  if (!sent || !got) throw new Error(`no /sync body in LECTERN_DEBUG output: ${dbg.err.slice(0, 300)}`);
  const answer = JSON.parse(got[1]);
  if ((answer.changes || []).length) throw new Error(`the no-op /sync is not one: ${got[1].slice(0, 300)}`);
  const token = (await request(lsrv.port, 'POST', '/api/v1/auth/token', { username: 'learner', password: lecternLoad.PASSWORD })).access_token;
  const lua = path.join(WORK, `noop-${scale}.lua`);
  fs.writeFileSync(lua, ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(sent[1])}`, 'wrk.headers["Content-Type"] = "application/json"',
    `wrk.headers["Authorization"] = "Bearer ${token}"`, 'wrk.headers["Accept-Encoding"] = "zstd, gzip"', ''].join('\n'));
  const seq = (await request(psrv.port, 'GET', '/campus/')).update_seq;
  const changes = `http://127.0.0.1:${psrv.port}/campus/_changes?style=all_docs&since=${seq}&limit=100`;
  const pouchNoop = await request(psrv.port, 'GET', `/campus/_changes?style=all_docs&since=${seq}&limit=100`);
  if (pouchNoop.results.length) throw new Error('the express-pouchdb _changes is not a no-op');
  const rows = [];
  for (const c of CONNS) {
    const base = ['-t', String(Math.min(2, c)), '-c', String(c), '-d', `${SECONDS}s`];
    const l = [], p = [];
    // one second of each first: node's JIT and both servers' caches warm up unmeasured
    wrk([...base.slice(0, 4), '-d', '1s', '-s', lua, `http://127.0.0.1:${lsrv.port}/api/v1/sync`], lsrv.child.pid);
    wrk([...base.slice(0, 4), '-d', '1s', changes], psrv.child.pid);
    for (let r = 0; r < ROUNDS; r++) {
      l.push(wrk([...base, '-s', lua, `http://127.0.0.1:${lsrv.port}/api/v1/sync`], lsrv.child.pid));
      p.push(wrk([...base, '-H', 'Accept: application/json', '-H', 'Accept-Encoding: gzip,deflate', changes], psrv.child.pid));
    }
    rows.push({ scale, connections: c, lectern: l, pouch: p, loadavg: loadavg(),
      ratio: median(l.map((x, i) => x.rps / p[i].rps)), ratios: l.map((x, i) => x.rps / p[i].rps),
      body_bytes: Buffer.byteLength(sent[1]), answer_bytes: Buffer.byteLength(got[1]), since: seq });
    say(`scale ${scale}, ${c} connections: lecternd ${fmt(median(l.map((x) => x.rps)))}/s, express-pouchdb ${fmt(median(p.map((x) => x.rps)))}/s`);
  }
  return rows;
}

// ---- the tables ----------------------------------------------------------------------------

function syncTable(s) {
  const out = [];
  const fl = { initial: s.floor.initial.gzip6_bytes, incremental: s.floor.delta.gzip6_bytes, noop: 0 };
  const cell = (runs, ph) => {
    const b = runs.map((r) => r.phases[ph].bytes);
    const bytes = Math.min(...b) === Math.max(...b) ? fmt(b[0]) : `${fmt(median(b))} (${fmt(Math.min(...b))}-${fmt(Math.max(...b))})`;
    return `${median(runs.map((r) => r.phases[ph].requests))} / ${bytes} / ${median(runs.map((r) => r.phases[ph].ms)).toFixed(1)}`;
  };
  out.push(`### Scale ${s.scale}: ${fmt(s.floor.initial.rows)} rows, delta ${s.floor.delta.rows} rows; ${s.pairs.length} interleaved pair(s); load average ${s.load_before} -> ${s.load_after}`);
  out.push('');
  out.push('| phase | PouchDB requests / bytes / ms | Lectern requests / bytes / ms | floor (gzip -6) | Lectern/PouchDB: requests, bytes, ms (same run; min-max) | total/floor: PouchDB, Lectern |');
  out.push('|---|---|---|---:|---|---|');
  const P = s.pairs.map((p) => p.pouch), L = s.pairs.map((p) => p.lectern);
  for (const ph of ['initial', 'incremental', 'noop']) {
    const mr = (xs, f) => median(xs.map(f));
    const rq = mr(L, (r) => r.phases[ph].requests) / mr(P, (r) => r.phases[ph].requests);
    const by = mr(L, (r) => r.phases[ph].bytes) / mr(P, (r) => r.phases[ph].bytes);
    const ms = s.pairs.map((p) => p.lectern.phases[ph].ms / p.pouch.phases[ph].ms);
    const range = ms.length > 1 ? ` (${Math.min(...ms).toFixed(2)}-${Math.max(...ms).toFixed(2)})` : '';
    const tf = fl[ph] ? `${(mr(P, (r) => r.phases[ph].bytes) / fl[ph]).toFixed(2)}, ${(mr(L, (r) => r.phases[ph].bytes) / fl[ph]).toFixed(2)}` : '-';
    out.push(`| ${ph === 'noop' ? 'no-op' : ph} | ${cell(P, ph)} | ${cell(L, ph)} | ${fmt(fl[ph])} | ${rq.toFixed(3)}, ${by.toFixed(2)}, ${median(ms).toFixed(2)}${range} | ${tf} |`);
  }
  for (const ph of ['login', 'verify']) out.push(`| (${ph}) | - | ${cell(L, ph)} | | | |`);
  out.push('');
  out.push(`Floors: gzip -6 of the campus as JSON lines (${fmt(s.floor.initial.raw_bytes)} B raw) and of the delta (${fmt(s.floor.delta.raw_bytes)} B raw).`);
  return out.join('\n');
}

function throughputTable(rows) {
  const out = [];
  out.push(`### No-op throughput (wrk, keep-alive, ${SECONDS} s per point, ${ROUNDS} alternation(s) per point, medians; wrk shares the cores)`);
  out.push('');
  out.push('| scale | connections | lecternd no-op /sync per s (p50 ms) | express-pouchdb no-op _changes per s (p50 ms) | lecternd/express-pouchdb (min-max) | server CPU µs per request: lecternd, express-pouchdb | non-2xx | load average |');
  out.push('|---:|---:|---:|---:|---|---|---:|---|');
  for (const r of rows) {
    const m = (xs, f) => median(xs.map(f));
    const range = r.ratios.length > 1 ? ` (${Math.min(...r.ratios).toFixed(2)}-${Math.max(...r.ratios).toFixed(2)})` : '';
    const bad = [...r.lectern, ...r.pouch].reduce((n, x) => n + x.non2xx, 0);
    out.push(`| ${r.scale} | ${r.connections} | ${fmt(m(r.lectern, (x) => x.rps))} (${m(r.lectern, (x) => x.p50_ms).toFixed(2)}) | ` +
      `${fmt(m(r.pouch, (x) => x.rps))} (${m(r.pouch, (x) => x.p50_ms).toFixed(2)}) | ${r.ratio.toFixed(2)}${range} | ` +
      `${fmt(m(r.lectern, (x) => x.cpu_us_per_request))}, ${fmt(m(r.pouch, (x) => x.cpu_us_per_request))} | ${bad} | ${r.loadavg} |`);
  }
  return out.join('\n');
}

function versions() {
  const v = { node: process.version };
  for (const p of ['pouchdb', 'express-pouchdb']) v[p] = require(`${p}/package.json`).version;
  v.lectern = execFileSync(LECTERN, ['--version'], { encoding: 'utf8' }).trim();
  try { v.commit = execFileSync('git', ['-C', __dirname, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch (e) { v.commit = '?'; }
  return v;
}

// ---- main -------------------------------------------------------------------------------

(async () => {
  const proxy = new Proxy();
  await proxy.start();
  const result = { when: new Date().toISOString(), versions: versions(), cores: os.cpus().length, scales: [], throughput: [] };
  for (const scale of [...new Set([...SCALES, ...TSCALES])]) {
    const campus = campusLib.build(scale);
    const floor = { initial: campusLib.floor(campus.initial), delta: campusLib.floor(campus.delta) };
    const db = await lecterndDb(scale, campus);
    if (LOAD_ONLY) continue;
    const s = { scale, floor, pairs: [], load_before: loadavg() };
    const pairs = SCALES.includes(scale) ? PAIRS : 0;
    const wantThroughput = TSCALES.includes(scale);
    let keptP = null, keptL = null;
    if (!pairs && wantThroughput) ({ keptP, keptL } = await throughputOnly(campus, db));
    for (let k = 0; k < pairs; k++) {
      const last = k === pairs - 1 && wantThroughput;
      // phase names are unique across the whole run: the proxy keeps every count
      const pouch = await pouchRun(proxy, campus, `x${scale}.${k}`, last);
      const lect = await lecternRun(proxy, campus, db, `x${scale}.${k}`, last);
      if (last) { keptP = pouch.server; keptL = lect.server; }
      if (k < pairs) {
        s.pairs.push({ pouch: { phases: pouch.phases }, lectern: { phases: lect.phases } });
        say(`scale ${scale}, pair ${k + 1}/${pairs}: initial PouchDB ${pouch.phases.initial.ms.toFixed(0)} ms, ` +
          `Lectern ${lect.phases.initial.ms.toFixed(0)} ms; load ${loadavg()}`);
      }
    }
    s.load_after = loadavg();
    if (pairs) result.scales.push(s);
    if (wantThroughput) {
      try {
        result.throughput.push(...await throughput(scale, keptL, keptP));
      } finally {
        await stop(keptL.child);
        await stop(keptP.child);
      }
    }
  }
  await stop(proxy.child);
  const v = result.versions;
  console.log(`## Lectern (${v.lectern}, ${v.commit}) and PouchDB ${v.pouchdb} <- express-pouchdb ${v['express-pouchdb']}, node ${v.node}, ${result.cores} cores, ${result.when}`);
  console.log('');
  for (const s of result.scales) { console.log(syncTable(s)); console.log(''); }
  if (result.throughput.length) console.log(throughputTable(result.throughput));
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(result, null, 1) + '\n');
})().catch((e) => { console.error(`run: ${e.stack || e}`); process.exitCode = 1; process.exit(1); });
