/**
 * Demo mode (the default) fires every job seconds apart so a first run shows every kind of job
 * within half a minute; `OCTO_EXAMPLE_MODE=production` uses the schedules a real service would.
 * Decorators read the schedule when the class is defined, so the mode is fixed at start-up.
 */
export const demoMode = process.env.OCTO_EXAMPLE_MODE !== "production";

/** The 6-field (with seconds) demo schedule, or the real one outside demo mode. */
export function schedule(demo: string, production: string): string {
  return demoMode ? demo : production;
}
