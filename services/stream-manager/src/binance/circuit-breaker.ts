export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** consecutive failures that open the circuit */
  failureThreshold: number;
  /** first open period; doubles on every failed trial, up to maxOpenMs */
  openMs: number;
  maxOpenMs: number;
  now: () => number;
}

/**
 * closed → (failureThreshold consecutive failures) → open → (openMs passed) → half-open: one trial
 * connection; success closes the circuit, failure opens it again for twice as long.
 */
export class CircuitBreaker {
  private stateValue: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private openFor: number;
  opens = 0;

  constructor(private readonly o: CircuitBreakerOptions) {
    this.openFor = o.openMs;
  }

  get state(): CircuitState {
    if (this.stateValue === 'open' && this.o.now() - this.openedAt >= this.openFor) this.stateValue = 'half-open';
    return this.stateValue;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** when an open circuit lets the next trial through, null when not open */
  get retryAt(): number | null {
    return this.stateValue === 'open' ? this.openedAt + this.openFor : null;
  }

  /** ms until a connection attempt is allowed (0 = now) */
  waitMs(): number {
    const s = this.state;
    return s === 'open' ? Math.max(0, this.openedAt + this.openFor - this.o.now()) : 0;
  }

  onSuccess(): void {
    this.failures = 0;
    this.stateValue = 'closed';
    this.openFor = this.o.openMs;
  }

  onFailure(): void {
    this.failures += 1;
    const s = this.state;
    if (s === 'half-open') {
      this.openFor = Math.min(this.o.maxOpenMs, this.openFor * 2);
      this.open();
    } else if (s === 'closed' && this.failures >= this.o.failureThreshold) {
      this.open();
    }
  }

  private open(): void {
    this.stateValue = 'open';
    this.openedAt = this.o.now();
    this.opens += 1;
  }
}
