import { type Dirent, type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Calls `onChange` once after changes below `dir` settle for `debounceMs`. Editors write files in
 * several steps (temp file, rename); one reconcile per burst is what a person expects.
 *
 * It watches folders, never files: on Linux a watch follows an inode, and a save by rename (`sed -i`,
 * most editors) gives the file a new one, so a watch on the file (as Node's recursive `fs.watch`
 * sets up) misses every later edit. A folder keeps its inode and reports what happens to its
 * entries. Folders are re-scanned after each burst, to watch those created since.
 */
export function watchDirectory(dir: string, debounceMs: number, onChange: () => void): () => void {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopped) return;
      rescan();
      onChange();
    }, debounceMs);
  };

  const rescan = () => {
    const now = new Set(foldersBelow(dir));
    for (const [path, watcher] of watchers)
      if (!now.has(path)) {
        watcher.close();
        watchers.delete(path);
      }
    for (const path of now) {
      if (watchers.has(path)) continue;
      try {
        const watcher = watch(path, changed);
        // A watched folder that is deleted reports an error on some platforms: the next scan forgets it.
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(path);
          changed();
        });
        watchers.set(path, watcher);
      } catch {
        // Gone between the scan and the watch: its parent's watcher reported that already.
      }
    }
  };

  rescan();
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

/** `dir` and every folder below it, except hidden ones (which the manifests loader skips too). */
function foldersBelow(dir: string): string[] {
  const out = [dir];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries)
    if (entry.isDirectory() && !entry.name.startsWith('.')) out.push(...foldersBelow(join(dir, entry.name)));
  return out;
}
