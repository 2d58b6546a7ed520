import fs from "node:fs";
import path from "node:path";

/**
 * Sets directories to 0700 and files to 0600 from `dir` down, without following symbolic links.
 * PGlite gives its files mode 0666 whatever the umask, so the embedded database's folder is
 * tightened when it is opened and closed (its parent folder is 0700 meanwhile, so no other user
 * can reach them). Returns how many entries were changed.
 */
export function makeOwnerOnly(dir: string): number {
  let changed = 0;
  const tighten = (full: string, mode: number, current: number) => {
    if ((current & 0o777) === mode) return;
    fs.chmodSync(full, mode);
    changed++;
  };
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isSymbolicLink()) continue;
      const full = path.join(d, entry.name);
      // An entry removed meanwhile (a temp file, an index cleanup in another process) is fine.
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(full);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      if (stat.isDirectory()) {
        tighten(full, 0o700, stat.mode);
        walk(full);
      } else if (stat.isFile()) tighten(full, 0o600, stat.mode);
    }
  };
  tighten(dir, 0o700, fs.statSync(dir).mode);
  walk(dir);
  return changed;
}
