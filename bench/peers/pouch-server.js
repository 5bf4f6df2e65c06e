// SPDX-License-Identifier: MIT
// express-pouchdb as shipped (fullCouchDB mode, its `compression` middleware on) over the
// in-memory PouchDB adapter, on 127.0.0.1:<any free port>, with an empty database "campus".
// Run as a child of the runner (child_process.fork): sends {listening: port} when ready and
// exits when the runner goes away or sends SIGTERM.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const express = require('express');
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));

// express-pouchdb writes a log and config next to the current directory, and its disk-size
// plugin stats ./campus (adding "disk_size" to GET /campus/ when that exists): an empty
// directory of our own keeps every answer the same wherever the bench is started from.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-peers-pouch-'));
process.chdir(dir);
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const Memory = PouchDB.defaults({ adapter: 'memory' });
const app = express();
app.use('/', require('express-pouchdb')(Memory, { mode: 'fullCouchDB', inMemoryConfig: true, logPath: path.join(dir, 'log.txt') }));

new Memory('campus').info().then(() => {
  const server = app.listen(0, '127.0.0.1', () => process.send({ listening: server.address().port }));
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
