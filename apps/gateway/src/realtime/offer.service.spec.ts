import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCode, type ChatMessage, type PartyRef } from '@parley/contracts';
import { agreementKey, ScenarioCatalog } from '@parley/negotiation';
import { DataPaths, MessageLog, NegotiationStore, type LocatedNegotiation } from '@parley/store';
import type { ChatService } from './chat.service';
import { OfferService } from './offer.service';

const STUDENT = 'sam@example.edu';

/**
 * The moment a class hits when many pairs agree at once: the agreement worker claims a negotiation
 * (renames its directory) between a student's state write and the offer line that records it.
 */
describe('OfferService when a settlement claims the negotiation mid-change', () => {
  let dataDir: string;
  let paths: DataPaths;
  let store: NegotiationStore;
  let located: LocatedNegotiation;
  let party: PartyRef;
  const messages = new MessageLog();

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-offer-'));
    paths = new DataPaths(dataDir);
    store = new NegotiationStore(paths);
    const meta = await store.createAi(STUDENT, 'used-car', 'buyer', 'seller', 3600_000);
    located = (await store.locate(STUDENT, meta.id))!;
    party = meta.parties.find((p) => p.user === STUDENT)!;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const claim = async () => {
    const claimed = paths.claimedNegotiation(STUDENT, located.id);
    await mkdir(dirname(claimed), { recursive: true });
    await rename(located.dir, claimed);
    return claimed;
  };
  /** A transcript whose append finds the directory claimed, as the real one does when it moved. */
  const chatClaimedBeforeTheLine = {
    append: async (l: LocatedNegotiation, p: PartyRef, fields: Partial<ChatMessage> & { content: string }) => {
      await claim();
      const line = { id: 'x', seq: 1, negotiation_id: l.id, sender_type: 'user', sender: p.user, timestamp: '', ...fields } as ChatMessage;
      await messages.append(l.dir, p.prefix, [line]);
      return line;
    },
  } as unknown as ChatService;
  const offers = (chat: ChatService) => new OfferService(store, new ScenarioCatalog(dataDir), chat);

  it('an agreement written before the claim stands: no error, the settlement reads it', async () => {
    const change = await offers(chatClaimedBeforeTheLine).change({ located, party, outcome: null }, 'agreed', { price: 8500 });
    expect(change.line).toBeNull();
    expect(change.view).toMatchObject({ status: 'agreed' });
    const claimed = { ...located, dir: paths.claimedNegotiation(STUDENT, located.id) };
    const mine = (await store.readStates(claimed.dir)).find((s) => s.user === STUDENT);
    expect(mine).toMatchObject({ status: 'agreed', agreement_key: agreementKey({ price: 8500 }) });
  });

  it('a change that comes after the claim is refused as being settled, and writes nothing', async () => {
    const claimed = await claim();
    const unused = { append: async () => Promise.reject(new Error('not reached')) } as unknown as ChatService;
    await expect(offers(unused).change({ located, party, outcome: null }, 'agreed', { price: 8500 })).rejects.toMatchObject({
      code: ErrorCode.NegotiationSettling,
    });
    expect((await store.readStates(claimed)).find((s) => s.user === STUDENT)).toBeUndefined();
  });
});
