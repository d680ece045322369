import { join } from 'node:path';
import { ChatMessage } from '@parley/contracts';
import { Appender, type Written } from './appender';
import type { ChatLog } from './chat-log';
import { isNotFound, listDir, listDirSync, readJsonLines } from './files';
import { fsyncPath } from './segments';
import { findByClientMessageId, forgetIndex, maxSeqInFile, noteAppended } from './message-index';
import { NegotiationFiles } from './paths';
import { ErrorCode, ParleyError } from '@parley/contracts';

/**
 * <prefix>_messages.jsonl: each party appends its own lines; readers merge them by seq. Without a
 * commit log every append is its own O_DSYNC write (Appender); with one (the gateway's ChatLog) the
 * line goes into the party file without a flush and the log's one write per event-loop turn makes it
 * durable.
 */
export class MessageLog {
  private readonly appender: Appender;

  constructor(private readonly commitLog?: ChatLog) {
    this.appender = new Appender(!commitLog);
  }

  /** Returns once the lines are on disk (in the party file, or in the commit log and the party file). */
  async append(dir: string, prefix: string, messages: ChatMessage[]): Promise<void> {
    const path = join(dir, NegotiationFiles.messages(prefix));
    const lines = messages.map((m) => JSON.stringify(m));
    let written: Written;
    try {
      written = this.commitLog ? this.appender.appendNow(path, lines) : await this.appender.append(path, lines);
    } catch (e) {
      // appending must never create a directory that was moved away by a settlement
      if (isNotFound(e)) throw new ParleyError(ErrorCode.NegotiationClosed, 'this negotiation is over', 409);
      throw e;
    }
    // a line whose commit failed is taken back out of the party file: refused means not saved
    if (this.commitLog)
      await this.commitLog.commit(dir, prefix, lines, () => {
        this.appender.undo(path, written);
        forgetIndex(path);
      });
    noteAppended(path, written);
  }

  /**
   * Before a line found in a party's file is acknowledged again: once this process's commits in
   * flight are settled (a failed one takes its line back out), the file is made durable (fdatasync),
   * since with a commit log a line may be in the file before it is on disk. Call findByClientId again after it.
   */
  async syncParty(dir: string, prefix: string): Promise<void> {
    if (!this.commitLog) return;
    await this.commitLog.settled();
    await fsyncPath(join(dir, NegotiationFiles.messages(prefix)));
  }

  /** Replays what gateways that are gone left in their commit logs (see ChatLog); nothing without a commit log. */
  async recover(): Promise<{ segments: number; restored: number }> {
    return this.commitLog ? this.commitLog.start() : { segments: 0, restored: 0 };
  }

  async close(): Promise<void> {
    await this.commitLog?.close();
    await this.appender.closeAll();
  }

  async readParty(dir: string, prefix: string): Promise<ChatMessage[]> {
    return readJsonLines<ChatMessage>(join(dir, NegotiationFiles.messages(prefix)));
  }

  /** All messages of a negotiation in sequence order. */
  async readAll(dir: string): Promise<ChatMessage[]> {
    const files = (await listDir(dir)).filter(NegotiationFiles.isMessages);
    const all: ChatMessage[] = [];
    for (const f of files) all.push(...(await readJsonLines<ChatMessage>(join(dir, f))));
    return all.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The highest sequence number on disk, reading only what was appended since the last call. With
   * the parties' prefixes it looks at their files (and the AI's) without listing the directory.
   */
  async maxSeq(dir: string, prefixes?: string[]): Promise<number> {
    const files = prefixes
      ? [...new Set([...prefixes, 'ai'])].map(NegotiationFiles.messages)
      : listDirSync(dir).filter(NegotiationFiles.isMessages);
    const maxes = await Promise.all(files.map((f) => maxSeqInFile(join(dir, f))));
    return maxes.reduce((m, x) => Math.max(m, x), 0);
  }

  /** The party's own line saved under this client message id, or null (the sender's file is the truth, not Redis). */
  async findByClientId(dir: string, prefix: string, clientMessageId: string): Promise<ChatMessage | null> {
    return findByClientMessageId(join(dir, NegotiationFiles.messages(prefix)), clientMessageId);
  }
}
