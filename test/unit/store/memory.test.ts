import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { describeSnapshotStore } from './snapshot-store.contract.js';

describeSnapshotStore('memory', (now) => new MemorySnapshotStore({ now }), {
  propertyRuns: Number(process.env.STORE_PROPERTY_RUNS ?? 150),
});
