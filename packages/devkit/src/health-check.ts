/** Active health checks, standing in for the Gateway's HealthCheckPolicy (open-source nginx has none). */
export interface HealthCheckOptions {
  /** Probe period (default 500 ms). */
  intervalMs?: number;
  /** Path probed on each instance (default /readyz, the same as the HealthCheckPolicy). */
  path?: string;
  /** A probe slower than this fails (default 1 000 ms). */
  timeoutMs?: number;
}

export interface HealthChecks {
  stop(): void;
  /** Forgets all failures (after the caller replaced the instances with ones that passed readiness). */
  reset(): void;
}

/**
 * Probes every instance each period and calls `onChange` with the set of failing ones whenever it changes.
 * Instances start as healthy: callers add instances that already passed readiness (startAppProcess waits for it).
 */
export function startHealthChecks(
  instances: () => string[],
  options: HealthCheckOptions & { onChange: (down: Set<string>) => Promise<void> },
): HealthChecks {
  const intervalMs = options.intervalMs ?? 500;
  const path = options.path ?? "/readyz";
  const timeoutMs = options.timeoutMs ?? 1_000;
  let down = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Bumped by reset(): a probe round that started before it describes instances that may be gone.
  let epoch = 0;

  const probe = async (instance: string): Promise<boolean> => {
    try {
      const response = await fetch(`http://${instance}${path}`, {
        headers: { connection: "close" },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  };

  const tick = async () => {
    const startedIn = epoch;
    const current = instances();
    const results = await Promise.all(
      current.map(async (instance) => [instance, await probe(instance)] as const),
    );
    const nextDown = new Set(results.filter(([, healthy]) => !healthy).map(([instance]) => instance));
    const changed = nextDown.size !== down.size || [...nextDown].some((instance) => !down.has(instance));
    if (changed && !stopped && startedIn === epoch) {
      down = nextDown;
      await options.onChange(new Set(nextDown)).catch(() => undefined);
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, intervalMs);
    // Never the reason a process stays alive: the nginx child is.
    timer.unref();
  };
  schedule();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    reset() {
      epoch += 1;
      down = new Set();
    },
  };
}
