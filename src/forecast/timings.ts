/**
 * Where a forecast shard's time goes, by stage, for the run's log and the forecast bench. Each stage's figure is
 * its wall time: operations of one stage that overlap (the evidence queries beside the model inputs' read) count
 * once, as the union of their intervals; different stages may overlap each other (a read in flight while a model
 * runs), so the stages can add up to more than the shard.
 */
export const FORECAST_STAGES = [
  'read',
  'features',
  'models',
  'outputs',
  'shadow',
  'writes',
  'policy',
  'dispatch',
] as const;
export type ForecastStage = (typeof FORECAST_STAGES)[number];
/** Milliseconds per stage. */
export type StageTimings = Record<ForecastStage, number>;

export class StageClock {
  private readonly totals = Object.fromEntries(FORECAST_STAGES.map((s) => [s, 0])) as StageTimings;
  private readonly open = new Map<ForecastStage, { count: number; since: number }>();

  /** @param now milliseconds from any origin (tests pass their own). @defaultValue performance.now */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Time `work` as part of `stage`. */
  async time<T>(stage: ForecastStage, work: () => Promise<T>): Promise<T> {
    this.enter(stage);
    try {
      return await work();
    } finally {
      this.leave(stage);
    }
  }

  /** Time synchronous `work` as part of `stage`. */
  timeSync<T>(stage: ForecastStage, work: () => T): T {
    this.enter(stage);
    try {
      return work();
    } finally {
      this.leave(stage);
    }
  }

  /** Start timing part of `stage`; call the returned function when it ends (for straight-line code). */
  begin(stage: ForecastStage): () => void {
    this.enter(stage);
    let ended = false;
    return () => {
      if (!ended) this.leave(stage);
      ended = true;
    };
  }

  /** Milliseconds per stage so far, to the microsecond. */
  timings(): StageTimings {
    const out = { ...this.totals };
    for (const s of FORECAST_STAGES) out[s] = Math.round(out[s] * 1000) / 1000;
    return out;
  }

  private enter(stage: ForecastStage): void {
    const o = this.open.get(stage);
    if (o) o.count++;
    else this.open.set(stage, { count: 1, since: this.now() });
  }

  private leave(stage: ForecastStage): void {
    const o = this.open.get(stage);
    if (!o) return;
    if (--o.count === 0) {
      this.totals[stage] += this.now() - o.since;
      this.open.delete(stage);
    }
  }
}
