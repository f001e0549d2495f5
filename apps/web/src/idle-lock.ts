const INPUT_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** Locks the key after `minutes` without input (WEB_IDLE_LOCK_MINUTES): a walked-away-from screen holds no key. */
export class IdleLock {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly restart = () => this.arm();

  constructor(
    private readonly minutes: number,
    private readonly onIdle: () => void,
  ) {}

  start(): void {
    for (const event of INPUT_EVENTS) document.addEventListener(event, this.restart, { passive: true });
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const event of INPUT_EVENTS) document.removeEventListener(event, this.restart);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stop();
      this.onIdle();
    }, this.minutes * 60_000);
  }
}
