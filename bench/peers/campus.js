// SPDX-License-Identifier: MIT
// The bench campus: what ONE learner enrolled in 5 courses syncs, the same logical rows for
// lecternd (lectern-load.js) and for express-pouchdb (pouch.js). Deterministic: the same scale
// gives byte-identical rows on every machine and node version (a 32-bit integer PRNG, no
// Math.random, no clock).
//
// Rows are {type, id, ...fields}. Counts at scale N (every count times N except the 5
// enrollments and the delta):
//   course 200 (published; the learner takes the first 5)   module 10 per enrolled course
//   item 8 per module (page x4, link, quiz, assignment, page) question 10 per quiz
//   topic 20 per enrolled course                              reply 10 per topic
//   enrollment 5                                              progress 40 (pages)
// = 2,295 rows at scale 1, 22,905 at scale 10. Sizes follow what a real course has: a
// 400-character description, pages of about 2,000 characters of Markdown, 300 for other
// items and replies, 600 for a topic, 150 for a question.
// The delta: 10 new replies, 2 edited pages (same id, longer body, new updated_at) and 1
// deleted reply ({"type":"reply","id":...,"_deleted":true}).
//
//   node campus.js [--scale N] [--out DIR]   prints counts and the gzip -6 floors; with --out
//                                           writes DIR/initial.jsonl and DIR/delta.jsonl
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

// Bump when the rows change: the runner keys its cache of loaded databases on it.
const VERSION = 1;

// mulberry32: small, fast, and the same on every platform (integer arithmetic only).
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Frequent words first: words are drawn with weight 1/rank, as in real text, so the text
// compresses like prose (about 2.8x with gzip -6), not like noise or like repetition.
const COMMON = `the of and to a in is that for it as with be on this are by or not from at which
an have you can was but we will all one their more each when there has if your also these so
other they its into than only how about some what may then such most any two first use should
where both could over between after before very must those many because through while here
every new our out up like just`.split(/\s+/);
const TOPICAL = `course module lesson learner student teacher assignment quiz question answer topic
reply forum grade score point progress section chapter unit page link example exercise review
summary concept method model system process data value function variable type structure list
table file record field query result error output input program code script command terminal
shell server client network request response message sync replica change update version branch
merge conflict commit patch editor window screen cursor line word text number string array loop
condition test case check build install option flag default user account role access group
team project task goal plan schedule deadline week hour time date event note comment feedback
reading writing learning teaching study research paper source reference author title keyword
level skill knowledge problem solution step stage phase order pattern rule limit range measure
rate ratio total average memory storage disk cache index queue stack tree graph node path root
offline online local remote shared simple basic advanced careful quick small large recent
current previous next important useful common special general main final clear correct valid
safe stable reliable compact readable write read open close start stop send receive create
delete insert select sort filter search find compare split join parse print show explain
describe discuss consider evaluate apply design verify improve reduce increase keep store load
save fetch push pull follow learn teach practise remember understand know think expect work
make take give help move begin finish continue complete submit accept return handle language
grammar sentence paragraph essay history geography biology chemistry physics algebra geometry
statistics economics market energy force speed distance volume angle cell species plant water
climate river city society culture policy law community family school campus library lecture
seminar workshop tutorial exam certificate semester credit syllabus rubric portfolio report`
  .split(/\s+/);
const ONSET = 'b br c cl d dr f fl g gr h j k l m n p pr qu r s sh sl sp st t th tr v w z'.split(' ');
const VOWEL = 'a e i o u ai ea ee oa ou'.split(' ');
const CODA = 'b ck d ft g k l ld m mp n nd ng nt p r rd rm rt s sh st t th x'.split(' ');
const ENDING = ['', '', '', 's', 'ed', 'ing', 'er', 'ly', 'tion', 'ment', 'ness', 'able', 'al'];
const DEPTS = 'CS MATH BIO CHEM PHYS HIST LANG ECON ART STAT'.split(' ');
const KINDS = ['page', 'page', 'page', 'page', 'link', 'quiz', 'assignment', 'page'];
const QKINDS = ['single', 'multiple', 'boolean', 'short'];

class Text {
  constructor(rnd) {
    this.rnd = rnd;
    const seen = new Set();
    this.words = [];
    for (const w of [...COMMON, ...TOPICAL]) if (!seen.has(w)) { seen.add(w); this.words.push(w); }
    this.topical = this.words.length - COMMON.length;
    while (this.words.length < 2000) { // invented words: a long tail of rarer terms
      let w = '';
      for (let k = this.int(1, 2); k > 0; k--) w += this.pick(ONSET) + this.pick(VOWEL) + this.pick(CODA);
      w += this.pick(ENDING);
      if (w.length >= 3 && !seen.has(w)) { seen.add(w); this.words.push(w); }
    }
    this.cum = [];
    let acc = 0;
    for (let i = 0; i < this.words.length; i++) this.cum.push((acc += 1 / (i + 1)));
  }
  int(lo, hi) { return lo + Math.floor(this.rnd() * (hi - lo + 1)); }
  pick(xs) { return xs[Math.floor(this.rnd() * xs.length)]; }
  word() { // Zipf: binary search of the cumulative 1/rank weights
    const x = this.rnd() * this.cum[this.cum.length - 1];
    let lo = 0, hi = this.cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.cum[mid] < x) lo = mid + 1; else hi = mid; }
    return this.words[lo];
  }
  wordsN(n) { const out = []; for (let i = 0; i < n; i++) out.push(this.word()); return out.join(' '); }
  title(lo, hi) { return this.wordsN(this.int(lo, hi)).split(' ').map((w) => w[0].toUpperCase() + w.slice(1)).join(' '); }
  sentence() {
    const ws = this.wordsN(this.int(6, 18)).split(' ');
    if (ws.length > 8 && this.rnd() < 0.4) ws[this.int(3, ws.length - 3)] += ',';
    const s = ws.join(' ');
    return s[0].toUpperCase() + s.slice(1) + (this.rnd() < 0.85 ? '.' : '?');
  }
  para(chars) {
    const out = [];
    for (let n = 0; n < chars;) { const s = this.sentence(); out.push(s); n += s.length + 1; }
    return out.join(' ');
  }
  ident() {
    const parts = [];
    for (let k = this.int(1, 3); k > 0; k--) parts.push(this.words[COMMON.length + this.int(0, this.topical - 1)]);
    return parts.join('_');
  }
  markdown(chars) {
    const parts = ['# ' + this.title(3, 6)];
    for (let n = parts[0].length; n < chars;) {
      const k = this.rnd();
      let p;
      if (k < 0.14) p = '## ' + this.title(2, 5);
      else if (k < 0.3) {
        const items = [];
        for (let i = this.int(2, 5); i > 0; i--) items.push('- ' + this.sentence().slice(0, -1));
        p = items.join('\n');
      } else if (k < 0.38) {
        const items = [];
        for (let i = 1, n2 = this.int(2, 5); i <= n2; i++) items.push(`${i}. ` + this.wordsN(this.int(3, 9)));
        p = items.join('\n');
      } else if (k < 0.46) {
        p = `${this.sentence().slice(0, -1)} with \`${this.ident()}()\` and \`--${this.word()}\`, then **${this.word()}** the ${this.word()}.`;
      } else if (k < 0.5) {
        const lines = [];
        for (let i = this.int(2, 4); i > 0; i--) lines.push(`${this.ident()} = ${this.ident()}(${this.int(0, 99)})`);
        p = '```\n' + lines.join('\n') + '\n```';
      } else p = this.para(this.int(160, 420));
      parts.push(p);
      n += p.length + 2;
    }
    return parts.join('\n\n');
  }
}

// Builds the campus for one scale: {initial: [rows], delta: [rows]}.
function build(scale) {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a positive integer, not ${scale}`);
  const rnd = prng(0x1ec7e2 + 7919 * scale);
  const t = new Text(rnd);
  const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)]; return s; };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex(3)}-${hex(12)}`;
  const epoch = Date.UTC(2026, 0, 5, 8, 0, 0) / 1000;
  const ts = (d0, d1) => new Date((epoch + t.int(d0 * 86400, d1 * 86400)) * 1000).toISOString().replace('.000Z', 'Z');

  const learner = uuid();
  const instructors = Array.from({ length: 30 * scale }, uuid);
  const classmates = Array.from({ length: 120 * scale }, uuid); // those who write in the forums
  const rows = [];
  const courses = [];
  for (let i = 0; i < 200 * scale; i++) {
    const created = ts(0, 300);
    const keywords = new Set();
    for (let k = t.int(3, 5); keywords.size < k;) keywords.add(t.words[COMMON.length + t.int(0, t.topical - 1)]);
    const updated = ts(250, 320);
    const c = { type: 'course', id: uuid(), title: t.title(3, 7), code: `${t.pick(DEPTS)}-${String(100 + i).padStart(4, '0')}`,
      description: t.para(400), keywords: [...keywords], instructor_id: t.pick(instructors), status: 'published',
      created_at: created, updated_at: updated > created ? updated : created };
    courses.push(c);
    rows.push(c);
  }
  const pages = [], topics = [], replies = [];
  for (const c of courses.slice(0, 5)) {
    for (let m = 0; m < 10 * scale; m++) {
      const mod = { type: 'module', id: uuid(), course_id: c.id, position: m, title: t.title(2, 6) };
      rows.push(mod);
      KINDS.forEach((kind, p) => {
        const created = ts(20, 200);
        const it = { type: 'item', id: uuid(), module_id: mod.id, position: p, kind, title: t.title(2, 7),
          body: kind === 'page' ? t.markdown(2000) : t.para(300), points: { quiz: 10, assignment: 20 }[kind] || 0,
          created_at: created, updated_at: created };
        if (kind === 'link') it.url = `https://${t.word()}.example.org/${t.word()}/${t.word()}`;
        if (kind === 'assignment') it.due_at = ts(210, 330);
        rows.push(it);
        if (kind === 'page') pages.push(it);
        if (kind === 'quiz') {
          for (let q = 0; q < 10; q++) {
            const prompt = t.para(150).slice(0, -1).replace(/[.?,]+$/, '') + '?';
            rows.push({ type: 'question', id: uuid(), item_id: it.id, position: q, kind: t.pick(QKINDS), prompt,
              choices: [0, 1, 2, 3].map(() => t.wordsN(t.int(1, 3))), points: t.pick([1, 1, 1, 2]) });
          }
        }
      });
    }
    for (let k = 0; k < 20 * scale; k++) {
      const top = { type: 'topic', id: uuid(), course_id: c.id, author_id: t.pick([...classmates, learner]),
        title: t.title(3, 9), body: t.para(600), created_at: ts(20, 200) };
      rows.push(top);
      topics.push(top);
      for (let r = 0; r < 10; r++) {
        const rep = { type: 'reply', id: uuid(), topic_id: top.id, author_id: t.pick(classmates), body: t.para(300),
          created_at: ts(200, 300) };
        rows.push(rep);
        replies.push(rep);
      }
    }
  }
  for (const c of courses.slice(0, 5)) {
    rows.push({ type: 'enrollment', id: uuid(), user_id: learner, course_id: c.id, status: 'active', created_at: ts(10, 20) });
  }
  const sample = (xs, n) => { // n distinct elements, partial Fisher-Yates on a copy
    const a = xs.slice();
    for (let i = 0; i < n; i++) { const j = i + Math.floor(rnd() * (a.length - i)); [a[i], a[j]] = [a[j], a[i]]; }
    return a.slice(0, n);
  };
  for (const it of sample(pages, 40 * scale)) {
    const done = rnd() < 0.8;
    rows.push({ type: 'progress', id: uuid(), user_id: learner, item_id: it.id, status: done ? 'completed' : 'in_progress',
      completed_at: done ? ts(200, 300) : null });
  }

  const delta = [];
  for (let i = 0; i < 10; i++) {
    delta.push({ type: 'reply', id: uuid(), topic_id: t.pick(topics).id, author_id: t.pick([...classmates, learner]),
      body: t.para(300), created_at: ts(330, 331) });
  }
  for (const it of sample(pages, 2)) {
    const cut = it.body.lastIndexOf('\n\n', Math.floor(it.body.length * 3 / 4));
    delta.push({ ...it, body: `${it.body.slice(0, cut)}\n\n## ${t.title(2, 4)}\n\n${t.para(400)}`, updated_at: ts(331, 332) });
  }
  delta.push({ type: 'reply', id: t.pick(replies).id, _deleted: true });
  return { scale, initial: rows, delta };
}

const jsonl = (rows) => Buffer.from(rows.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');

// gzip -6 of the rows as JSON lines: what any sync must at least move, compressed.
function floor(rows) {
  const raw = jsonl(rows);
  return { rows: rows.length, raw_bytes: raw.length, gzip6_bytes: zlib.gzipSync(raw, { level: 6 }).length };
}

function counts(rows) {
  const n = {};
  for (const r of rows) { const k = r.type + (r._deleted ? ' (deleted)' : ''); n[k] = (n[k] || 0) + 1; }
  return n;
}

module.exports = { VERSION, build, jsonl, floor, counts };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  const scale = Number(opt('scale', '1'));
  const out = opt('out', '');
  const c = build(scale);
  for (const name of ['initial', 'delta']) {
    const f = floor(c[name]);
    console.log(`${name}: ${f.rows} rows (${Object.entries(counts(c[name])).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
      `${f.raw_bytes} B raw, gzip -6 ${f.gzip6_bytes} B`);
    if (out) {
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, `${name}.jsonl`), jsonl(c[name]));
    }
  }
}
