/**
 * Tasks of one device one after another, in the order they were given; tasks of different devices at once.
 * A device's messages reach the write path in the order it published them, as with one message at a time.
 */
export class DeviceLanes {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(device: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(device);
    const result = before ? before.then(task) : task();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(device, tail);
    void tail.then(() => {
      if (this.#tails.get(device) === tail) this.#tails.delete(device);
    });
    return result;
  }

  /** Devices with a task in hand or waiting. */
  get busy(): number {
    return this.#tails.size;
  }
}
