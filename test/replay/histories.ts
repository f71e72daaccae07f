import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { ReplayHistoriesIterable } from '@temporalio/worker';

// Recorded histories of finished saga runs, committed under histories/: replaying them against the current
// workflow code proves a change keeps running workflows replayable (a reordered or removed step fails it).
//
// Stored as the protobuf encoding (base64) with a readable list of the events beside it. Not proto3 JSON: in this
// install @temporalio/common (protobufjs 8) and @temporalio/proto (protobufjs 7) disagree, and historyToJSON /
// historyFromJSON throw "type must be a Type"; the binary form goes through one protobufjs only.

const { History, EventType } = proto.temporal.api.history.v1 as unknown as {
  History: typeof proto.temporal.api.history.v1.History;
  EventType: Record<number, string>;
};
const eventTypeNames = proto.temporal.api.enums.v1.EventType as unknown as Record<number, string>;
void EventType;

export const historiesDir = path.resolve(import.meta.dirname, 'histories');

interface RecordedHistory {
  workflowId: string;
  workflowType: string;
  /** For reviewers: the event types in order (not read back). */
  events: string[];
  historyBase64: string;
}

/**
 * Appended to every recorded name: `RECORD_HISTORIES_SUFFIX=-before-poll-retry` keeps a recording of the code
 * before a versioned change beside the current one (see docs/versioning.md).
 */
const suffix = process.env.RECORD_HISTORIES_SUFFIX ?? '';

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  name = `${name}${suffix}`;
  const description = await handle.describe();
  const history = await handle.fetchHistory();
  const recorded: RecordedHistory = {
    workflowId: handle.workflowId,
    workflowType: description.type,
    events: (history.events ?? []).map((e) => eventTypeNames[Number(e.eventType)] ?? String(e.eventType)),
    historyBase64: Buffer.from(History.encode(History.fromObject(history)).finish()).toString('base64'),
  };
  await writeFile(path.join(historiesDir, `${name}.json`), `${JSON.stringify(recorded, null, 1)}\n`);
}

export async function recordedNames(): Promise<string[]> {
  return (await readdir(historiesDir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export async function loadHistory(name: string) {
  const recorded = JSON.parse(await readFile(path.join(historiesDir, `${name}.json`), 'utf8')) as RecordedHistory;
  return { ...recorded, history: History.decode(Buffer.from(recorded.historyBase64, 'base64')) };
}

export async function* loadHistories(names: string[]): ReplayHistoriesIterable {
  for (const name of names) {
    const { workflowId, history } = await loadHistory(name);
    yield { workflowId, history };
  }
}
