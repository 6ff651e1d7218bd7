// The pure half of the HAProxy adapter: render (IR → model resources), materialize (models → files),
// slots and server commands. The effectful half lives in runtime/.

export { HAPROXY_CAPABILITIES } from './capabilities.js';
export * from './config/escape.js';
export {
  ADMIN_SOCKET,
  CONFIG_FILE,
  type HaproxyGlobalSettings,
  type MaterializeOptions,
  materialize,
  renderMapFile,
  type SlotAssignments,
} from './config/materialize.js';
export {
  PLACEHOLDER,
  renderServerLine,
  type ServerSpec,
  serverName,
  serverSpec,
} from './config/server.js';
export { assignSlots, type SlotAssignment } from './config/slots.js';
export * from './model.js';
export { HELPER_BACKENDS, haproxyAddress, lbId } from './naming.js';
export {
  type HaproxyRenderContext,
  haproxyReferences,
  modelResources,
  modelsFromResources,
  renderHaproxy,
  renderHaproxyModel,
} from './render.js';
