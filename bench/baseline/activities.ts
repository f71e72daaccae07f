// The baseline's only activity: returns at once, so the baseline measures Temporal and the worker alone. Its input
// and result are as large as the saga's activity's were (bench/sagas.ts reads them from its history): payloads are
// work for Temporal (history, tasks) and for the payload codec whatever is in them.
export function createBaselineActivities() {
  return {
    async noop(_input: string, resultBytes: number): Promise<string> {
      return 'x'.repeat(resultBytes);
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
