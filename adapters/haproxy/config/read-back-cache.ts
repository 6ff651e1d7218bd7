// Observe runs on every reconcile, and haproxy.cfg changes far less often (map and server slot
// changes leave it as it is). Parsing it and reading every section back was most of observe's cost
// at 5,000 backends, so the last parse is kept while the file's content is the same, and each
// section's read-back while the section and the reference fields the read takes are the same.
// Values handed out are shared: callers copy before they change anything (observe does).

import type { BackendModel, FrontendModel } from '../model.js';
import { type ConfigSection, parseSections, readBackend, readFrontend } from './read-back.js';

export class ReadBackCache {
  private content: string | undefined;
  private sections = new Map<string, ConfigSection>();
  private readonly backends = new WeakMap<ConfigSection, { key: string; value: BackendModel }>();
  private readonly frontends = new WeakMap<ConfigSection, { key: string; value: FrontendModel }>();

  /** parseSections(content), from the last parse when the content is the same. */
  sectionsOf(content: string): Map<string, ConfigSection> {
    if (content !== this.content) {
      this.sections = parseSections(content);
      this.content = content;
    }
    return this.sections;
  }

  backend(section: ConfigSection, reference: BackendModel): BackendModel {
    const key = JSON.stringify([reference.lb, reference.pool, reference.mode, reference.serverOptions]);
    const hit = this.backends.get(section);
    if (hit?.key === key) return hit.value;
    const value = readBackend(section, reference);
    this.backends.set(section, { key, value });
    return value;
  }

  frontend(
    section: ConfigSection,
    reference: FrontendModel,
    crtLists: Readonly<Record<string, string>>,
    live: { sections: ReadonlyMap<string, ConfigSection>; instance: string },
  ): FrontendModel {
    const key = JSON.stringify([
      reference.lb,
      reference.listener,
      reference.mode,
      reference.tls?.mode,
      reference.maps,
      reference.backends,
      reference.addedHeaderBytes,
      crtLists,
      // A mixed TLS listener's terminator is read from other sections of the same (unchanged) file.
      reference.terminator !== undefined,
      live.instance,
    ]);
    const hit = this.frontends.get(section);
    if (hit?.key === key) return hit.value;
    const value = readFrontend(section, reference, crtLists, live);
    this.frontends.set(section, { key, value });
    return value;
  }
}
