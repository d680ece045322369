import { hostname } from 'node:os';
import { join } from 'node:path';
import { appendLines, ensureDir, listDir, readJsonLines } from './files';
import { DataPaths } from './paths';

export interface AuditEntry {
  /** ISO time */
  at: string;
  service: string;
  /** e-mail, 'ai', 'system' or 'anonymous' */
  who: string;
  /** event or action name, e.g. 'send-message', 'login', 'settle' */
  what: string;
  negotiation_id?: string;
  /** 'ok' or an error code */
  result: string;
  detail?: string;
}

const FLUSH_MS = 200;
const MAX_BUFFER = 500;

/**
 * Append-only audit trail under DATA_DIR/audit/<day>/<service>-<host>-<pid>.jsonl: one file per
 * process, so every file has one writer. Entries are buffered briefly and appended in batches.
 */
export class AuditLog {
  private buffer: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly fileName: string;

  constructor(
    private readonly paths: DataPaths,
    private readonly service: string,
  ) {
    this.fileName = `${service}-${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-${process.pid}.jsonl`;
  }

  record(entry: Omit<AuditEntry, 'at' | 'service'>): void {
    this.buffer.push({ at: new Date().toISOString(), service: this.service, ...entry });
    if (this.buffer.length >= MAX_BUFFER) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (!batch.length) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch)).catch(() => undefined);
    return this.flushing;
  }

  private async write(batch: AuditEntry[]): Promise<void> {
    const dir = join(this.paths.auditDir(), batch[0].at.slice(0, 10));
    await ensureDir(dir);
    await appendLines(
      join(dir, this.fileName),
      batch.map((e) => JSON.stringify(e)),
    );
  }
}

/** Every audit entry, oldest first (for instructors and the CSV export). */
export async function readAudit(paths: DataPaths, limit = 100_000): Promise<AuditEntry[]> {
  const root = paths.auditDir();
  const all: AuditEntry[] = [];
  for (const day of (await listDir(root)).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort()) {
    for (const file of (await listDir(join(root, day))).filter((f) => f.endsWith('.jsonl'))) {
      all.push(...(await readJsonLines<AuditEntry>(join(root, day, file))));
    }
  }
  return all.sort((a, b) => a.at.localeCompare(b.at)).slice(-limit);
}
