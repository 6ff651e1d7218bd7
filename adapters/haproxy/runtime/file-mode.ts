// Private keys live in certs/: only the owner (HAProxy runs as us) may read them.

export function fileModeFor(relPath: string): number {
  return relPath.startsWith('certs/') || relPath.endsWith('.pem') || relPath.endsWith('.key') ? 0o600 : 0o644;
}
