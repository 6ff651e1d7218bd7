import { request } from 'node:http';

/** The status of a GET on a new connection (0 when it failed or took over 2 s). */
export function httpGet(address: string, port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: address, port, path, headers: { host }, agent: false, timeout: 2_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}
