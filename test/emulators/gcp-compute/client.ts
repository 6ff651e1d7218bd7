// The real `@google-cloud/compute` client pointed at the emulator over REST (research/gcp.md §4):
// `apiEndpoint` 127.0.0.1 with the emulator's port, plain http, and google-auth-library's
// PassThroughClient so no credentials are looked up or sent. The library takes seconds to import, so
// it is loaded lazily, once per process.

import type { PassThroughClient } from 'google-auth-library';
import type { GcpComputeEmulator } from './server.js';

export type ComputeModule = typeof import('@google-cloud/compute');

let compute: Promise<ComputeModule> | undefined;

export function loadCompute(): Promise<ComputeModule> {
  compute ??= import('@google-cloud/compute');
  return compute;
}

export type EmulatorClientOptions = {
  apiEndpoint: string;
  port: number;
  protocol: 'http';
  authClient: PassThroughClient;
};

/** Options for any `v1.*Client` constructor, aimed at the emulator. */
export async function emulatorClientOptions(emu: GcpComputeEmulator): Promise<EmulatorClientOptions> {
  // google-auth-library comes with @google-cloud/compute (through google-gax).
  const { PassThroughClient } = await import('google-auth-library');
  return { apiEndpoint: '127.0.0.1', port: emu.port, protocol: 'http', authClient: new PassThroughClient() };
}
