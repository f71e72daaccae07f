import { Context } from '@temporalio/activity';
import { toFailure } from '../failures.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { ActivityDeps } from '../index.js';
import { insertSummary, summaryCandidates, summaryExists, weeklyFacts, type WeeklyFacts } from './facts.js';
import { checkSummary, fallbackSummary, summaryPrompt } from './prompt.js';

export type { WeeklyFacts } from './facts.js';

/**
 * How a user's week ended up: `llm` the model's answer, `fallback` our figures without prose (the answer
 * failed the check or the model refused), `existing` a summary was already stored (nothing written).
 */
export interface SummaryWriteResult {
  written: boolean;
  source: 'llm' | 'fallback' | 'existing';
}

export function createSummaryActivities({ db, providers, config, logger }: ActivityDeps) {
  const log = logger.child({ area: 'summaries' });

  return {
    async listSummaryCandidates(input: { weekStartDate: string; afterUserId?: string; limit: number }): Promise<string[]> {
      return summaryCandidates(db, input);
    },

    async gatherWeeklyFacts(input: { userId: string; weekStartDate: string }): Promise<WeeklyFacts> {
      return weeklyFacts(db, input);
    },

    /** Asks the LLM for the week's summary and stores it once (INSERT ... ON CONFLICT DO NOTHING). */
    async writeSummary(facts: WeeklyFacts): Promise<SummaryWriteResult> {
      const key = { userId: facts.userId, weekStartDate: facts.weekStartDate };
      // A retry may follow an attempt whose insert landed before its completion was lost: no second LLM call.
      if (Context.current().info.attempt > 1 && (await summaryExists(db, key))) return { written: false, source: 'existing' };

      let markdown: string;
      let source: SummaryWriteResult['source'] = 'llm';
      try {
        const answer = await providers.llm.complete({
          model: config.OPENAI_MODEL,
          system: config.SUMMARY_SYSTEM_PROMPT,
          user: summaryPrompt(facts),
        });
        const checked = checkSummary(answer.text, facts);
        if (checked.ok) markdown = checked.markdown;
        else {
          // Asking again costs money and rarely fixes a model that ignored the figures; ours are always right.
          log.warn({ ...key, reason: checked.reason }, 'summary answer failed the check; storing the fallback');
          markdown = fallbackSummary(facts);
          source = 'fallback';
        }
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        if (error.kind === 'rejected') {
          // A content-policy refusal repeats on every retry; the figures alone are still worth sending.
          log.warn({ ...key, kind: error.kind }, 'LLM refused the summary; storing the fallback');
          markdown = fallbackSummary(facts);
          source = 'fallback';
        } else throw toFailure(error); // outages retry; auth or invalid requests are configuration to fix
      }

      const written = await insertSummary(db, { ...key, summaryMarkdown: markdown });
      return written ? { written, source } : { written, source: 'existing' };
    },
  };
}
