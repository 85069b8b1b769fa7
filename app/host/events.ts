import type { EventMessage } from '../contract';

/** The pushed events of one host, fanned out to every window or browser tab listening. */
export class EventHub {
  private readonly listeners = new Set<(e: EventMessage) => void>();

  subscribe(listener: (e: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(e: EventMessage): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // One broken subscriber (a closed window) must not starve the others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
