// SPDX-License-Identifier: MIT
// Puts the campus (campus.js) into a lecternd through its REST API, each request as the user
// who would make it, straight to the server (never through the counting proxy).
//
// initial: the administrator (made beforehand with `lecternd --create-user admin --role
//   admin`) logs in; each instructor signs up and the administrator makes them instructors
//   (PATCH /users/{id}/roles); each instructor creates their courses, and for the learner's 5
//   courses the modules, the 8 items of a module in one POST, the quiz questions, then
//   publishes; the learner signs up and enrolls; each classmate who writes signs up and
//   enrolls where they write; topics and their replies are posted by their authors; the
//   learner records progress. Independent work (one user's sign-up, one course, one topic
//   thread) runs on a few keep-alive connections at once.
// delta: a new reply by its author (enrolling first in a course new to them), a page edit by
//   the course's instructor (GET for the rev, PATCH with If-Match), the deleted reply by its
//   author.
//
// Where the models differ: the dataset's ids are kept (progress ids are the server's);
// positions are 1-based in Lectern; created_at/updated_at, rating and the owner are the
// server's; a question needs an answer, which the dataset lacks (single 0, multiple [0],
// boolean true, short: the first choice); in_progress is Lectern's "started".
'use strict';
const http = require('http');

const PASSWORD = 'lectern-bench-pass';

class Api {
  constructor(port, sockets) {
    this.port = port;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.requests = 0;
  }

  call(method, path, body, token, ifMatch) {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body), 'utf8');
    const headers = {};
    if (data) { headers['content-type'] = 'application/json'; headers['content-length'] = data.length; }
    if (token) headers.authorization = `Bearer ${token}`;
    if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
    this.requests++;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path: `/api/v1${path}`, headers,
        agent: this.agent }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let doc = null;
          try { doc = text ? JSON.parse(text) : null; } catch (e) { doc = text; }
          resolve({ status: res.statusCode, doc });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  close() { this.agent.destroy(); }
}

class User {
  constructor(api, id, username) { this.api = api; this.id = id; this.username = username; }

  take(doc) { this.access = doc.access_token; this.refresh = doc.refresh_token; if (!this.id) this.id = doc.user.id; }

  async register() {
    const r = await this.api.call('POST', '/auth/register',
      { id: this.id, username: this.username, email: `${this.username}@example.org`, password: PASSWORD });
    if (r.status !== 201) throw new Error(`register ${this.username}: ${r.status} ${JSON.stringify(r.doc)}`);
    this.take(r.doc);
  }

  async login(password = PASSWORD) {
    const r = await this.api.call('POST', '/auth/token', { username: this.username, password });
    if (r.status !== 200) throw new Error(`log-in ${this.username}: ${r.status} ${JSON.stringify(r.doc)}`);
    this.take(r.doc);
  }

  // As this user; answers outside `ok` throw. An access token that expired (15 minutes: a
  // long load) is refreshed once, by one request: several of this user's requests run at
  // once, and a refresh token presented twice revokes the session (reuse detection).
  async call(method, path, body, { ok = [200, 201, 204], ifMatch } = {}) {
    const token = this.access;
    let r = await this.api.call(method, path, body, token, ifMatch);
    if (r.status === 401 && !ok.includes(401)) {
      if (this.access === token) {
        if (!this.refreshing) this.refreshing = this.renew().finally(() => { this.refreshing = null; });
        await this.refreshing;
      }
      r = await this.api.call(method, path, body, this.access, ifMatch);
    }
    if (!ok.includes(r.status)) throw new Error(`${this.username}: ${method} ${path} -> ${r.status} ${JSON.stringify(r.doc).slice(0, 300)}`);
    return r;
  }

  async renew() {
    const t = await this.api.call('POST', '/auth/refresh', { refresh_token: this.refresh });
    if (t.status !== 200) throw new Error(`refresh ${this.username}: ${t.status} ${JSON.stringify(t.doc)}`);
    this.take(t.doc);
  }
}

const username = (kind, id) => `${kind}-${id.replace(/-/g, '').slice(0, 12)}`;

// Runs fn over xs with at most n at once; the first failure rejects.
async function pool(xs, n, fn) {
  let next = 0;
  const worker = async () => { while (next < xs.length) { const i = next++; await fn(xs[i], i); } };
  await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
}

function byType(rows) {
  const m = {};
  for (const r of rows) (m[r.type] = m[r.type] || []).push(r);
  return m;
}

function groupBy(rows, key) {
  const m = new Map();
  for (const r of rows || []) { if (!m.has(r[key])) m.set(r[key], []); m.get(r[key]).push(r); }
  return m;
}

const ANSWER = { single: () => 0, multiple: () => [0], boolean: () => true, short: (q) => q.choices[0] };

function itemBody(it) {
  const b = { id: it.id, title: it.title, kind: it.kind, body: it.body, points: it.points, position: it.position + 1 };
  if (it.url !== undefined) b.url = it.url;
  if (it.due_at !== undefined) b.due_at = it.due_at;
  return b;
}

function learnerOf(by) {
  const ids = new Set(by.enrollment.map((e) => e.user_id));
  if (ids.size !== 1) throw new Error('the campus must have one learner');
  return [...ids][0];
}

async function loadInitial(port, campus, { admin = 'admin', adminPassword, sockets = 4, say = () => {} } = {}) {
  const api = new Api(port, sockets);
  try {
    const by = byType(campus.initial);
    const learner = learnerOf(by);
    const root = new User(api, null, admin);
    await root.login(adminPassword);

    const instructors = new Map();
    for (const c of by.course) {
      if (!instructors.has(c.instructor_id)) instructors.set(c.instructor_id, new User(api, c.instructor_id, username('instr', c.instructor_id)));
    }
    await pool([...instructors.values()], sockets, async (u) => {
      await u.register();
      await root.call('PATCH', `/users/${u.id}/roles`, { role: 'instructor' });
    });
    say(`${instructors.size} instructors`);

    const modules = groupBy(by.module, 'course_id');
    const items = groupBy(by.item, 'module_id');
    const questions = groupBy(by.question, 'item_id');
    await pool(by.course, sockets, async (c) => {
      const owner = instructors.get(c.instructor_id);
      await owner.call('POST', '/courses', { id: c.id, title: c.title, code: c.code, description: c.description, keywords: c.keywords });
      for (const m of modules.get(c.id) || []) {
        await owner.call('POST', `/courses/${c.id}/modules`, { id: m.id, title: m.title, position: m.position + 1 });
        const its = items.get(m.id) || [];
        if (its.length) await owner.call('POST', `/modules/${m.id}/items`, its.map(itemBody));
        for (const it of its) {
          for (const q of questions.get(it.id) || []) {
            await owner.call('POST', `/items/${it.id}/questions`, { id: q.id, prompt: q.prompt, kind: q.kind, choices: q.choices,
              points: q.points, position: q.position + 1, answer: ANSWER[q.kind](q) });
          }
        }
      }
      await owner.call('POST', `/courses/${c.id}/publish`);
    });
    say(`${by.course.length} courses published`);

    const users = new Map([[learner, new User(api, learner, 'learner')]]);
    await users.get(learner).register();
    for (const e of by.enrollment) await users.get(learner).call('POST', '/enrollments', { id: e.id, course_id: e.course_id });

    const topicCourse = new Map(by.topic.map((t) => [t.id, t.course_id]));
    const writes = new Map(); // author -> the courses they write in
    for (const d of [...by.topic, ...by.reply]) {
      const course = d.type === 'topic' ? d.course_id : topicCourse.get(d.topic_id);
      if (!writes.has(d.author_id)) writes.set(d.author_id, new Set());
      writes.get(d.author_id).add(course);
    }
    const classmates = [...writes.keys()].filter((id) => id !== learner);
    await pool(classmates, sockets, async (id) => {
      const u = new User(api, id, username('peer', id));
      users.set(id, u);
      await u.register();
      for (const course of writes.get(id)) await u.call('POST', '/enrollments', { course_id: course });
    });
    say(`${classmates.length} classmates`);

    const replies = groupBy(by.reply, 'topic_id');
    await pool(by.topic, sockets, async (t) => {
      await users.get(t.author_id).call('POST', `/courses/${t.course_id}/topics`, { id: t.id, title: t.title, body: t.body });
      for (const r of replies.get(t.id) || []) await users.get(r.author_id).call('POST', `/topics/${t.id}/replies`, { id: r.id, body: r.body });
    });
    say(`${by.topic.length} topics, ${by.reply.length} replies`);

    for (const p of by.progress || []) {
      await users.get(learner).call('POST', '/progress', { item_id: p.item_id, status: p.status === 'completed' ? 'completed' : 'started' });
    }
    return { requests: api.requests };
  } finally {
    api.close();
  }
}

async function applyDelta(port, campus) {
  const api = new Api(port, 1);
  try {
    const by = byType(campus.initial);
    const learner = learnerOf(by);
    const known = new Map([...by.reply, ...by.item].map((d) => [d.id, d]));
    const topicCourse = new Map(by.topic.map((t) => [t.id, t.course_id]));
    const moduleCourse = new Map(by.module.map((m) => [m.id, m.course_id]));
    const owner = new Map(by.course.map((c) => [c.id, c.instructor_id]));
    const users = new Map();
    const as = async (id, kind) => {
      if (!users.has(id)) {
        const u = new User(api, id, id === learner ? 'learner' : username(kind, id));
        await u.login();
        users.set(id, u);
      }
      return users.get(id);
    };
    for (const d of campus.delta) {
      if (d._deleted) {
        await (await as(known.get(d.id).author_id, 'peer')).call('DELETE', `/replies/${d.id}`);
      } else if (d.type === 'item' && known.has(d.id)) {
        const u = await as(owner.get(moduleCourse.get(d.module_id)), 'instr');
        const cur = await u.call('GET', `/items/${d.id}`);
        await u.call('PATCH', `/items/${d.id}`, { body: d.body }, { ifMatch: cur.doc.rev });
      } else if (d.type === 'reply') {
        const u = await as(d.author_id, 'peer');
        await u.call('POST', '/enrollments', { course_id: topicCourse.get(d.topic_id) }, { ok: [201, 409] });
        await u.call('POST', `/topics/${d.topic_id}/replies`, { id: d.id, body: d.body });
      } else {
        throw new Error(`delta row not understood: ${d.type} ${d.id}`);
      }
    }
    return { requests: api.requests };
  } finally {
    api.close();
  }
}

module.exports = { PASSWORD, loadInitial, applyDelta };
