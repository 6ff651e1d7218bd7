import { watch } from 'node:fs';

/**
 * Calls `onChange` once after changes below `dir` settle for `debounceMs`. Editors write files in
 * several steps (temp file, rename); one reconcile per burst is what a person expects.
 */
export function watchDirectory(dir: string, debounceMs: number, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
