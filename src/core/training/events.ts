/**
 * A small typed event emitter (isomorphic). The training loop emits; logging, progress bars, checkpoints, sample
 * grids and the browser lab subscribe. Handlers may be async; the loop waits for them, so a checkpoint handler
 * finishes writing before training continues.
 */
export type Handler<T> = (payload: T) => void | Promise<void>;

/** Typed events: `on(type, handler)` subscribes, `emit` awaits every handler in order. */
export class Events<EventMap extends Record<string, unknown>> {
  private readonly handlers = new Map<keyof EventMap, Array<Handler<never>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof EventMap>(type: K, handler: Handler<EventMap[K]>): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(type, list);
    return () => {
      const index = list.indexOf(handler as Handler<never>);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /** Calls every handler of `type` in subscription order, awaiting each. */
  async emit<K extends keyof EventMap>(type: K, payload: EventMap[K]): Promise<void> {
    for (const handler of this.handlers.get(type) ?? []) await (handler as Handler<EventMap[K]>)(payload);
  }

  /** Whether anyone listens (lets the loop skip work nobody wants). */
  has(type: keyof EventMap): boolean {
    return (this.handlers.get(type)?.length ?? 0) > 0;
  }
}
