// The emulator's stand-in for functions/wiring/gcp-auth.ts: google-auth-library imported statically
// in a module the entry imports dynamically, as the reconcile function's GCP wiring does (a dynamic
// import() of a CommonJS package in a bundle yields only its default export).

import { PassThroughClient } from 'google-auth-library';

export const emulatorAuthClient = () => new PassThroughClient();
