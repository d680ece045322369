import { join } from 'node:path';
import { ChatMessage } from '@parley/contracts';
import { Appender } from './appender';
import { isNotFound, listDir, listDirSync, readJsonLines } from './files';
import { findByClientMessageId, maxSeqInFile, noteAppended } from './message-index';
import { NegotiationFiles } from './paths';
import { ErrorCode, ParleyError } from '@parley/contracts';

/** <prefix>_messages.jsonl: each party appends its own lines; readers merge them by seq. */
export class MessageLog {
  private readonly appender = new Appender();

  /** Returns once the lines are on disk (see Appender: kept-open handles, one flush per batch). */
  async append(dir: string, prefix: string, messages: ChatMessage[]): Promise<void> {
    const path = join(dir, NegotiationFiles.messages(prefix));
    try {
      noteAppended(
        path,
        await this.appender.append(
          path,
          messages.map((m) => JSON.stringify(m)),
        ),
      );
    } catch (e) {
      // appending must never create a directory that was moved away by a settlement
      if (isNotFound(e)) throw new ParleyError(ErrorCode.NegotiationClosed, 'this negotiation is over', 409);
      throw e;
    }
  }

  close(): Promise<void> {
    return this.appender.closeAll();
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
