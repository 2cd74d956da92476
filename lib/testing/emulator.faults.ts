import type { PolarEmulatorFaultScope, PolarEmulatorFaults } from './emulator.types.js';

/** What a fault does to a matching request. */
export type FaultAction =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'malformed' };

interface Fault {
  action: FaultAction;
  path?: string | RegExp;
  remaining: number;
}

/** Faults applying to one request: summed latency, then at most one terminal action. */
export interface FaultPlan {
  latencyMs: number;
  terminal?: Exclude<FaultAction, { kind: 'latency' }>;
}

function checkScope(scope: PolarEmulatorFaultScope | undefined): void {
  if (scope?.times !== undefined && (!Number.isInteger(scope.times) || scope.times < 1)) {
    throw new RangeError(`faults: times must be a positive integer, got ${scope.times}`);
  }
}

/** Run-time switchable fault injection (the `polar.faults` object). */
export class EmulatorFaults implements PolarEmulatorFaults {
  private faults: Fault[] = [];

  private add(action: FaultAction, scope: PolarEmulatorFaultScope | undefined): void {
    checkScope(scope);
    this.faults.push({ action, path: scope?.path, remaining: scope?.times ?? Infinity });
  }

  latency(ms: number, scope?: PolarEmulatorFaultScope): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`faults.latency: ms must be ≥ 0, got ${ms}`);
    this.add({ kind: 'latency', ms }, scope);
  }

  failNext(n: number, status: number, scope?: Omit<PolarEmulatorFaultScope, 'times'>): void {
    checkStatus(status);
    this.add({ kind: 'status', status }, { path: scope?.path, times: n });
  }

  forceStatus(status: number | null, scope?: PolarEmulatorFaultScope): void {
    if (status === null) {
      this.faults = this.faults.filter((fault) => fault.action.kind !== 'status');
      return;
    }
    checkStatus(status);
    this.add({ kind: 'status', status }, scope);
  }

  hang(scope?: PolarEmulatorFaultScope): void {
    this.add({ kind: 'hang' }, scope);
  }

  resetConnection(scope?: PolarEmulatorFaultScope): void {
    this.add({ kind: 'reset' }, scope);
  }

  malformedJson(scope?: PolarEmulatorFaultScope): void {
    this.add({ kind: 'malformed' }, scope);
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes the faults matching `path` (one use each) and says what to do. */
  plan(path: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    for (const fault of this.faults) {
      if (!matches(fault.path, path)) continue;
      if (fault.action.kind === 'latency') {
        plan.latencyMs += fault.action.ms;
      } else if (plan.terminal) {
        continue;
      } else {
        plan.terminal = fault.action;
      }
      fault.remaining -= 1;
    }
    this.faults = this.faults.filter((fault) => fault.remaining > 0);
    return plan;
  }
}

function checkStatus(status: number): void {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`faults: status must be an HTTP status code, got ${status}`);
  }
}

function matches(scope: string | RegExp | undefined, path: string): boolean {
  if (scope === undefined) return true;
  if (typeof scope === 'string') return path.startsWith(scope);
  scope.lastIndex = 0;
  return scope.test(path);
}
