import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatMessage } from '@parley/contracts';
import { ChatLog } from './chat-log';
import { MessageLog } from './messages';
import { NegotiationStore } from './negotiations';
import { DataPaths } from './paths';
import { newSegmentName } from './segments';

describe('the gateway commit log for chat lines', () => {
  let root: string;
  let paths: DataPaths;
  let negotiations: NegotiationStore;
  const team = 'alice@uni.edu';
  const ids = Array.from({ length: 20 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const dirOf = (id: string) => paths.negotiation(team, id);
  const msg = (id: string, seq: number, cmid = `c${seq}`): ChatMessage => ({
    id: `${id}-m${seq}`,
    seq,
    negotiation_id: id,
    sender_type: 'user',
    sender: team,
    timestamp: new Date(0).toISOString(),
    read: false,
    content: `line ${seq}`,
    client_message_id: cmid,
    kind: 'chat',
  });
  const partyLines = (dir: string): ChatMessage[] =>
    readFileSync(join(dir, 'alice_messages.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ChatMessage);
  const segments = () => readdirSync(paths.chatLogDir()).filter((n) => n.endsWith('.jsonl'));
  /** A segment as a gateway that is gone left it: its pid is not running on this host. */
  const deadGatewaySegment = (records: { dir: string; m: ChatMessage }[]) => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const host = newSegmentName().split('.')[0];
    mkdirSync(paths.chatLogDir(), { recursive: true });
    const path = join(paths.chatLogDir(), `${host}.${gone}.abcdef012345.jsonl`);
    writeFileSync(
      path,
      records.map((r) => JSON.stringify({ d: r.dir.slice(paths.root.length + 1), p: 'alice', m: r.m }) + '\n').join('') + '{"d":"torn',
    );
    return path;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-chat-log-'));
    paths = new DataPaths(root);
    negotiations = new NegotiationStore(paths);
    for (const id of ids) {
      mkdirSync(dirOf(id), { recursive: true });
      writeFileSync(join(dirOf(id), 'negotiation.json'), JSON.stringify({ id }));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes the lines of one event-loop turn durable in one log write, then removes the segment once the files are flushed', async () => {
    const log = new ChatLog(paths, negotiations);
    const messages = new MessageLog(log);
    await Promise.all(
      ids.flatMap((id) => [messages.append(dirOf(id), 'alice', [msg(id, 1)]), messages.append(dirOf(id), 'alice', [msg(id, 2)])]),
    );
    expect(log.writes).toBe(1);
    for (const id of ids) expect(partyLines(dirOf(id)).map((m) => m.seq)).toEqual([1, 2]);
    const [segment] = segments();
    const logged = readFileSync(join(paths.chatLogDir(), segment), 'utf8').split('\n').filter(Boolean);
    expect(logged).toHaveLength(40);
    expect(JSON.parse(logged[0])).toMatchObject({ d: `teams/${team}/negotiations/${ids[0]}`, p: 'alice', m: { seq: 1 } });
    // idle: the segment is retired
    await new Promise((r) => setTimeout(r, 1800));
    expect(segments()).toEqual([]);
    await messages.close();
  });

  it('a line whose log write failed is taken back out of its party file and refused', async () => {
    const [a] = ids;
    const log = new ChatLog(paths, negotiations);
    const messages = new MessageLog(log);
    await messages.append(dirOf(a), 'alice', [msg(a, 1)]);
    // the log directory made unwritable for this process: the next segment cannot be created
    await messages.close();
    rmSync(paths.chatLogDir(), { recursive: true, force: true });
    writeFileSync(paths.chatLogDir(), 'not a directory');
    const failing = new MessageLog(new ChatLog(paths, negotiations));
    await expect(failing.append(dirOf(a), 'alice', [msg(a, 2)])).rejects.toThrow();
    expect(partyLines(dirOf(a)).map((m) => m.seq)).toEqual([1]);
    expect(await failing.findByClientId(dirOf(a), 'alice', 'c2')).toBeNull();
    await failing.close();
  });

  it("replays a gone gateway's segment: only the lines missing from the party files, also in a negotiation archived since", async () => {
    const [a, b, c] = ids;
    const messages = new MessageLog();
    await messages.append(dirOf(a), 'alice', [msg(a, 1)]);
    // b's second line was re-sent and saved again (another id, the same client id) after the crash
    await messages.append(dirOf(b), 'alice', [msg(b, 1), { ...msg(b, 3, 'c2'), id: 'resaved' }]);
    await messages.close();
    const segment = deadGatewaySegment([
      { dir: dirOf(a), m: msg(a, 1) },
      { dir: dirOf(a), m: msg(a, 2) },
      { dir: dirOf(b), m: msg(b, 1) },
      { dir: dirOf(b), m: msg(b, 2) },
      { dir: dirOf(c), m: msg(c, 1) },
    ]);
    // c was settled and archived before the machine went down
    mkdirSync(paths.archiveDir(team), { recursive: true });
    renameSync(dirOf(c), paths.archivedNegotiation(team, c));

    const log = new ChatLog(paths, negotiations);
    expect(await log.start()).toEqual({ segments: 1, restored: 2 });
    expect(partyLines(dirOf(a)).map((m) => m.seq)).toEqual([1, 2]);
    expect(partyLines(dirOf(b)).map((m) => m.id)).toEqual([`${b}-m1`, 'resaved']);
    expect(partyLines(paths.archivedNegotiation(team, c)).map((m) => m.seq)).toEqual([1]);
    expect(readdirSync(paths.chatLogDir())).not.toContain(segment.split('/').pop());
    expect(segments()).toEqual([]);
    // a second pass (another gateway starting) finds nothing left
    expect(await new ChatLog(paths, negotiations).start()).toEqual({ segments: 0, restored: 0 });
    await log.close();
  });

  it('two gateways finding the same orphan at once: one takes it over, each missing line is appended once', async () => {
    const [a] = ids;
    deadGatewaySegment([1, 2, 3].map((seq) => ({ dir: dirOf(a), m: msg(a, seq) })));
    const [x, y] = [new ChatLog(paths, negotiations), new ChatLog(paths, negotiations)];
    const results = await Promise.all([x.replayOrphans(), y.replayOrphans()]);
    expect(results.map((r) => r.restored).sort()).toEqual([0, 3]);
    expect(partyLines(dirOf(a)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(segments()).toEqual([]);
  });

  it("leaves a running gateway's segment alone", async () => {
    const [a] = ids;
    const log = new ChatLog(paths, negotiations);
    const messages = new MessageLog(log);
    await messages.append(dirOf(a), 'alice', [msg(a, 1)]);
    expect(await new ChatLog(paths, negotiations).replayOrphans()).toEqual({ segments: 0, restored: 0 });
    expect(segments()).toHaveLength(1);
    await messages.close();
    expect(segments()).toEqual([]);
  });
});
