import { describe, expect, it } from 'vitest';
import { measurePhases, PhaseClock, summarize } from '../../../src/engine/metrics/latency';

describe('latency', () => {
  it('summarize: median, numpy-style quantiles, spread', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ median: 3, min: 1, max: 5, mean: 3, samples: 5 });
    expect(s.p10).toBeCloseTo(1.4, 10);
    expect(s.p90).toBeCloseTo(4.6, 10);
    expect(s.stdev).toBeCloseTo(Math.sqrt(2), 10);
    expect(summarize([1, 2, 3, 4]).median).toBe(2.5);
    expect(() => summarize([])).toThrow(/no latency samples/);
  });

  it('measurePhases discards warm-up runs and summarises each phase', async () => {
    let call = 0;
    const result = await measurePhases(async (): Promise<Record<string, number>> => {
      call++;
      return call <= 2 ? { a: 1000 } : { a: call, b: 1 };
    }, { warmup: 2, repeats: 3 });
    expect(call).toBe(5);
    expect(result.a).toMatchObject({ median: 4, min: 3, max: 5, samples: 3 });
    expect(result.b!.samples).toBe(3);
  });

  it('PhaseClock adds laps of the same phase', async () => {
    const clock = new PhaseClock();
    await new Promise((r) => setTimeout(r, 5));
    clock.lap('x');
    clock.lap('y');
    await new Promise((r) => setTimeout(r, 5));
    clock.lap('x');
    expect(clock.timings.x!).toBeGreaterThanOrEqual(8);
    expect(clock.timings.y!).toBeLessThan(clock.timings.x!);
  });
});
