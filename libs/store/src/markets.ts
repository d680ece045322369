import { listDir, readJson, ensureDir, writeJsonAtomic } from './files';
import { DataPaths } from './paths';
import { isMarketId } from './validate';

/**
 * A market run, markets/<id>.json, written only by its instructor's requests. `design` is the design
 * in its file form (a copy taken at creation, so a later upload cannot change a running market's
 * scores); `assignment` says which design team (slot) each member plays.
 */
export interface MarketFile {
  id: string;
  title: string;
  instructor: string;
  /** The class session this market is a round of, when it runs inside one. */
  session_id?: string;
  design: unknown;
  /** member e-mail → the design team (slot label) whose schedules and holdings it gets */
  assignment: Record<string, string>;
  /** Students see the leaderboard without other teams' names. */
  anonymise: boolean;
  created_at: number;
  ends_at: number;
  ended_at?: number;
}

/** Uploaded market designs (market-designs/<id>.json, file form) and market runs (markets/<id>.json). */
export class MarketStore {
  private readonly cache = new Map<string, MarketFile>();

  constructor(private readonly paths: DataPaths) {}

  async saveDesign(id: string, fileForm: unknown): Promise<void> {
    await ensureDir(this.paths.marketDesignsDir());
    await writeJsonAtomic(this.paths.marketDesign(id), fileForm);
  }

  readDesign(id: string): Promise<unknown | null> {
    return isMarketId(id) ? readJson<unknown>(this.paths.marketDesign(id)) : Promise.resolve(null);
  }

  async listDesignIds(): Promise<string[]> {
    return (await listDir(this.paths.marketDesignsDir()))
      .filter((n) => n.endsWith('.json'))
      .map((n) => n.slice(0, -5))
      .filter(isMarketId)
      .sort();
  }

  async writeMarket(market: MarketFile): Promise<void> {
    await ensureDir(this.paths.marketsDir());
    await writeJsonAtomic(this.paths.market(market.id), market);
    this.cache.delete(market.id);
  }

  /** Kept for a second: every order and offer of a market reads it, and only its instructor changes it. */
  async readMarket(id: string): Promise<MarketFile | null> {
    if (!isMarketId(id)) return null;
    const hit = this.cache.get(id);
    if (hit) return hit;
    const market = await readJson<MarketFile>(this.paths.market(id));
    if (market) {
      this.cache.set(id, market);
      setTimeout(() => this.cache.delete(id), 1000).unref();
    }
    return market;
  }

  async listMarkets(): Promise<MarketFile[]> {
    const ids = (await listDir(this.paths.marketsDir())).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    const all = await Promise.all(ids.filter(isMarketId).map((id) => this.readMarket(id)));
    return all.filter((m): m is MarketFile => m !== null).sort((a, b) => b.created_at - a.created_at);
  }
}
