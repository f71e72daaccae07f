// The baseline's only activity: returns at once, so the baseline measures Temporal and the worker alone.
export function createBaselineActivities() {
  return {
    async noop(): Promise<string> {
      return 'ok';
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
