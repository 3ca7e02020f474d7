import type { ApiAuth } from '../api/api-client.js';
import type { LiveHub, UpstreamMode } from './live-hub.js';

/** Hubs per credential: with an API key every browser shares one; with JWT each user has their own. */
export class HubRegistry {
  private readonly hubs = new Map<string, LiveHub>();

  constructor(private readonly make: (auth: ApiAuth | undefined) => LiveHub) {}

  get(auth: ApiAuth | undefined): LiveHub {
    const key = auth?.token ?? '';
    let hub = this.hubs.get(key);
    if (!hub) {
      hub = this.make(auth);
      this.hubs.set(key, hub);
    }
    return hub;
  }

  /** Upstream mode and listener count of each hub (for /healthz). */
  describe(): { mode: UpstreamMode; listeners: number }[] {
    return [...this.hubs.values()].map((h) => ({ mode: h.mode, listeners: h.size }));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.hubs.values()].map((h) => h.stop()));
    this.hubs.clear();
  }
}
