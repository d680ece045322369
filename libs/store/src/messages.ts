import { join } from 'node:path';
import { ChatMessage } from '@parley/contracts';
import { appendLines, isNotFound, listDir, readJsonLines } from './files';
import { NegotiationFiles } from './paths';
import { ErrorCode, ParleyError } from '@parley/contracts';

/** <prefix>_messages.jsonl: each party appends its own lines; readers merge them by seq. */
export class MessageLog {
  async append(dir: string, prefix: string, messages: ChatMessage[]): Promise<void> {
    try {
      await appendLines(
        join(dir, NegotiationFiles.messages(prefix)),
        messages.map((m) => JSON.stringify(m)),
      );
    } catch (e) {
      // appending must never create a directory that was moved away by a settlement
      if (isNotFound(e)) throw new ParleyError(ErrorCode.NegotiationClosed, 'this negotiation is over', 409);
      throw e;
    }
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

  async maxSeq(dir: string): Promise<number> {
    return (await this.readAll(dir)).reduce((m, x) => Math.max(m, x.seq), 0);
  }
}
