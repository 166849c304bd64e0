// Lock files holding the owner's pid: PGlite directories and writer spools serve one process at a
// time. A lock whose process is gone is taken over.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { DbError } from './errors.js';

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  if (pid === process.pid) return true; // held by this process already
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock file `path` for this process and returns its release; throws E_DB_LOCKED with
 *  `remedy` when a live process holds it. */
export function takeLock(path: string, what: string, remedy: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = 0;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // vanished meanwhile: try again
      }
      if (alive(pid)) throw new DbError('E_DB_LOCKED', `${what} is in use by process ${pid}: ${remedy}`);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DbError('E_DB_LOCKED', `${what}: cannot take the lock file ${path}`);
}
