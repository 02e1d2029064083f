/** Time-of-day load shape shared by the job scheduler, inference traffic and the facility: 0 at 04:00 UTC, 1 at 16:00. */
const DAY_MS = 86_400_000;

export function diurnal(ts: number): number {
  const hour = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24);
}
