export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
  now?: () => number;
}

export type CircuitState = "closed" | "open" | "half-open";

/**
 * Classic three-state circuit breaker. Closed: calls pass, consecutive failures are counted.
 * Open: calls are refused until the cool-down has passed. Half-open: one trial call passes;
 * its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private _state: CircuitState = "closed";
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this._state === "open" && this.now() - this.openedAt >= this.opts.cooldownMs) return "half-open";
    return this._state;
  }

  /** Ask for permission to call; false while open (or while a half-open trial is running). */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === "closed") return true;
    if (s === "open") return false;
    if (this.trialInFlight) return false;
    this._state = "half-open";
    this.trialInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this._state = "closed";
  }

  onFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this._state === "half-open" || this.failures >= this.opts.failureThreshold) {
      this._state = "open";
      this.openedAt = this.now();
    }
  }

  /** Release a permission without counting success or failure (e.g. the caller aborted). */
  release(): void {
    this.trialInFlight = false;
  }
}
