import type IORedis from 'ioredis';
import { LIMIT_WINDOW_SECONDS, PerUserLimit } from './per-user-limit';

/**
 * Everything Redis decides for one chat line, in one round trip (a Lua script runs atomically):
 * the user's event budget, room left in the negotiation, the claim of the client message id, the
 * user's chat budget, then the line's sequence number — counted on from the floor (ARGV[5]) when
 * the counter is behind it (Redis lost or rolled it back). A floor the gateway remembers rather than
 * read from the files just now (ARGV[7] = '0') is not trusted for a counter Redis does not have at
 * all: the answer is then 'reseed', before anything is spent, and the caller asks again with the
 * files' highest number. The budgets count in the same keys and the same way as
 * rate-limiter-flexible, so the other events' limits share them.
 */
const ADMIT = `
local function spend(key, points, window)
  redis.call('set', key, 0, 'EX', window, 'NX')
  local n = redis.call('incrby', key, 1)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then redis.call('expire', key, window) ttl = 1000 * window end
  if n > points then return ttl end
  return false
end
local counter = redis.call('get', KEYS[3])
if not counter and ARGV[7] ~= '1' then return {'reseed', 0} end
local refused = spend(KEYS[1], tonumber(ARGV[1]), ARGV[3])
if refused then return {'actions', refused} end
local last = tonumber(counter or '0') or 0
if last >= tonumber(ARGV[4]) then return {'full', 0} end
local claims = ARGV[6] == '1'
if claims and not redis.call('set', KEYS[4], 'pending', 'EX', 60, 'NX') then
  return {'claimed', 0}
end
refused = spend(KEYS[2], tonumber(ARGV[2]), ARGV[3])
if refused then
  if claims then redis.call('del', KEYS[4]) end
  return {'messages', refused}
end
local floor = tonumber(ARGV[5])
if last < floor then redis.call('set', KEYS[3], floor) end
return {'seq', redis.call('incrby', KEYS[3], 1)}
`;

export type Admission =
  | { kind: 'seq'; seq: number }
  /** Another save holds the client id (for a minute, or until its write fails). */
  | { kind: 'claimed' }
  | { kind: 'actions' | 'messages'; msBeforeNext: number }
  | { kind: 'full' }
  /** Redis has no counter for the negotiation and the floor was only remembered: ask again with the files' highest seq. */
  | { kind: 'reseed' };

type AdmitCommand = (k1: string, k2: string, k3: string, k4: string, ...argv: (string | number)[]) => Promise<[string, string | number]>;

export class ChatAdmission {
  private readonly admit: AdmitCommand;

  /** `redis`: best a connection with auto-pipelining, so the admissions of one tick go out in one write. */
  constructor(
    redis: IORedis,
    private readonly actions: PerUserLimit,
    private readonly messages: PerUserLimit,
    private readonly maxLines: number,
  ) {
    // defineCommand sends EVALSHA, and the script once when Redis does not know it (after a restart)
    if (!(redis as unknown as Record<string, unknown>).parleyAdmitChat)
      redis.defineCommand('parleyAdmitChat', { numberOfKeys: 4, lua: ADMIT });
    this.admit = (redis as unknown as { parleyAdmitChat: AdmitCommand }).parleyAdmitChat.bind(redis);
  }

  /** `actor` pays the event budget, `sender` (the party writing) the chat budget. */
  async run(args: {
    actor: string;
    sender: string;
    sequenceKey: string;
    claimKey: string | null;
    floor: number;
    /** The floor was read from the files for this call (not remembered). */
    floorFromDisk: boolean;
  }): Promise<Admission> {
    const [kind, value] = await this.admit(
      this.actions.key(args.actor),
      this.messages.key(args.sender),
      args.sequenceKey,
      args.claimKey ?? `${args.sequenceKey}:no-claim`,
      this.actions.points,
      this.messages.points,
      LIMIT_WINDOW_SECONDS,
      this.maxLines,
      args.floor,
      args.claimKey ? '1' : '0',
      args.floorFromDisk ? '1' : '0',
    );
    if (kind === 'seq') return { kind, seq: Number(value) };
    if (kind === 'claimed') return { kind };
    if (kind === 'actions' || kind === 'messages') return { kind, msBeforeNext: Number(value) };
    if (kind === 'reseed') return { kind };
    return { kind: 'full' };
  }
}
