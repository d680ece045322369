import { Inject, Injectable } from '@nestjs/common';
import { Chemical, ErrorCode, NegotiationMeta, Order, ParleyError, PartyRef, PartyStatus, ServerEvent, Terms } from '@parley/contracts';
import { CONFIG, ParleyConfig } from '@parley/config';
import { MarketBook } from '@parley/market';
import { NegotiationStore, OrderStore, TeamStore } from '@parley/store';
import { JobProducer } from '@parley/queues';
import { tradeCents, validateTradeTerms } from '@parley/negotiation';
import type { Access } from '../realtime/access.service';
import { OfferService } from '../realtime/offer.service';
import { Rooms } from '../realtime/rooms';
import { BoardPush } from './board-push';
import { TeamCaps } from './team-caps';

export interface NewOrder {
  side: 'buy' | 'sell';
  chemical: Chemical;
  price: number;
  quantity: number;
  market_id?: string;
}

/**
 * The trading rules at the time of the act: an order, a proposal or an agreement a team could not
 * honour is refused at once (MarketBook.assertCanHonour, under the team's promise lock so two requests
 * cannot both spend the same cash). An order is taken when its owner agrees in a negotiation on it, or
 * when another team accepts it as posted: it leaves the board then (the rest stays posted where partial
 * fills are allowed), so it is filled at most once.
 */
@Injectable()
export class TradeDesk {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(TeamCaps) private readonly caps: TeamCaps,
    @Inject(MarketBook) private readonly book: MarketBook,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(OfferService) private readonly offers: OfferService,
    @Inject(JobProducer) private readonly producer: JobProducer,
    @Inject(Rooms) private readonly rooms: Rooms,
    @Inject(BoardPush) private readonly board: BoardPush,
    @Inject(TeamStore) private readonly teams: TeamStore,
  ) {}

  /** Posts an order (refused when the team could not honour it); every team of its board hears of it at once. */
  async postOrder(team: string, order: NewOrder): Promise<Order> {
    const posted = await this.caps.withPromiseLocks([team], () =>
      this.caps.createOrder(team, async () => {
        await this.book.assertCanHonour(team, { id: 'new-order', ...order, price_cents: tradeCents(order).price });
        return this.orders.create(team, order);
      }),
    );
    await this.board.changed('posted', posted);
    return posted;
  }

  /** The owner withdraws its order; every team of its board hears of it. */
  async withdraw(team: string, order: Order): Promise<void> {
    if (await this.orders.remove(team, order.id)) await this.board.changed('withdrawn', order);
  }

  /** Opens (or gives back the open) negotiation on an order; the owner hears of it at once. */
  async respond(team: string, order: Order): Promise<{ meta: NegotiationMeta; existing: boolean }> {
    if (order.market_id) await this.book.requireRunning(order.market_id, team);
    const opened = await this.openOn(team, order);
    if (!opened.existing) await this.tellOwner(order, opened.meta, team, false);
    return opened;
  }

  /**
   * "Accept as posted": the order's terms (or `quantity` of it, where partial fills are allowed) become
   * both parties' agreed state in one step, so the agreement worker settles it.
   */
  async accept(team: string, orderId: string, quantity: number | undefined): Promise<NegotiationMeta> {
    const order = await this.orders.find(orderId);
    if (!order) throw gone();
    if (order.owner === team) throw new ParleyError(ErrorCode.Conflict, 'you cannot accept your own order', 409);
    const q = quantity ?? order.quantity;
    if (q > order.quantity) throw new ParleyError(ErrorCode.InvalidOffer, `the order offers ${order.quantity} units; you asked for ${q}`);
    if (q < order.quantity && !(await this.partialFills(order, team)))
      throw new ParleyError(ErrorCode.InvalidOffer, `this market trades whole orders only: accept all ${order.quantity} units`);
    if (order.market_id) await this.book.requireRunning(order.market_id, team);
    const terms: Terms = { price: order.price, quantity: q };
    const meta = await this.caps.withPromiseLocks([order.owner, team], async () => {
      if (!(await this.isOpen(order))) throw gone();
      const { meta } = await this.openOn(team, order);
      const theirSide = order.side === 'buy' ? 'sell' : 'buy';
      const candidate = {
        id: meta.id,
        chemical: order.chemical,
        price_cents: tradeCents({ price: order.price, quantity: q }).price,
        quantity: q,
        market_id: order.market_id,
      };
      await this.book.assertCanHonour(team, { ...candidate, side: theirSide });
      await this.book.assertCanHonour(order.owner, { ...candidate, side: order.side }, { withoutOrder: order.id });
      const located = await this.negotiations.locate(team, meta.id);
      if (!located) throw gone();
      for (const party of [...meta.parties].sort((a) => (a.user === order.owner ? -1 : 1))) {
        const change = await this.offers.change({ located, party, outcome: null }, 'agreed', terms);
        if (change.line) this.rooms.to(meta.id).emit(ServerEvent.MessageReceived, change.line);
        this.rooms.to(meta.id).emit(ServerEvent.OfferUpdated, { negotiation_id: meta.id, ...change.view });
      }
      await this.take(order, q);
      return meta;
    });
    await this.producer.enqueueAgreementCheck({ negotiation_id: meta.id, owner: meta.initiator });
    await this.tellOwner(order, meta, team, true, terms);
    return meta;
  }

  /**
   * A proposal or agreement in a peer negotiation, checked and written under the party's promise lock.
   * The owner agreeing in a negotiation on its still-open order takes the order.
   */
  async changeOffer<T>(
    access: Access & { party: PartyRef },
    status: PartyStatus,
    terms: Terms | null,
    write: () => Promise<T>,
  ): Promise<T> {
    const { meta } = access.located;
    const user = access.party.user;
    if (meta.kind !== 'peer' || status === 'rejected' || !meta.chemical) return write();
    const problem = terms ? validateTradeTerms(terms) : null;
    if (problem) throw new ParleyError(ErrorCode.InvalidOffer, problem);
    return this.caps.withPromiseLocks([user], async () => {
      const current = terms ?? (await this.currentTerms(access));
      if (!current || validateTradeTerms(current)) return write();
      const order = meta.order_id && user === meta.initiator ? await this.ownOpenOrder(user, meta.order_id) : null;
      const takes = order !== null && status === 'agreed';
      await this.book.assertCanHonour(
        user,
        {
          id: order && !takes ? order.id : meta.id,
          side: access.party.role === 'buyer' ? 'buy' : 'sell',
          chemical: meta.chemical!,
          price_cents: tradeCents({ price: current.price, quantity: current.quantity }).price,
          quantity: current.quantity,
          market_id: meta.market_id,
        },
        takes ? { withoutOrder: order.id } : {},
      );
      const result = await write();
      if (takes) await this.take(order, Math.min(current.quantity, order.quantity));
      return result;
    });
  }

  private async openOn(team: string, order: Order) {
    return this.caps.openNegotiation(team, order.id, () =>
      this.negotiations.createPeer({
        initiator: order.owner,
        initiatorRole: order.side === 'buy' ? 'buyer' : 'seller',
        responder: team,
        chemical: order.chemical,
        orderId: order.id,
        marketId: order.market_id,
        openingTerms: { price: order.price, quantity: order.quantity },
        ttlMs: this.config.staleAfterMs,
      }),
    );
  }

  /** The order leaves the board; where partial fills are allowed, what is left of it stays posted. */
  private async take(order: Order, quantity: number): Promise<void> {
    if (!(await this.orders.remove(order.owner, order.id))) return;
    await this.board.changed('taken', order);
    if (quantity < order.quantity && (await this.partialFills(order, order.owner))) {
      const { side, chemical, price, market_id } = order;
      const rest = await this.orders.create(order.owner, {
        side,
        chemical,
        price,
        quantity: order.quantity - quantity,
        ...(market_id ? { market_id } : {}),
      });
      await this.board.changed('posted', rest);
    }
  }

  private async partialFills(order: Order, team: string): Promise<boolean> {
    if (!order.market_id) return true;
    return (await this.book.requireRunning(order.market_id, team)).design.partial_fills !== false;
  }

  private async isOpen(order: Order): Promise<boolean> {
    return (await this.ownOpenOrder(order.owner, order.id)) !== null;
  }

  private async ownOpenOrder(owner: string, id: string): Promise<Order | null> {
    return (await this.orders.listOf(owner)).find((o) => o.id === id) ?? null;
  }

  private async currentTerms(access: Access & { party: PartyRef }): Promise<{ price: number; quantity: number } | null> {
    const own = (await this.negotiations.readStates(access.located.dir)).find((s) => s.user === access.party.user);
    return own?.offer ? { price: own.offer.price, quantity: own.offer.quantity } : null;
  }

  private async tellOwner(order: Order, meta: NegotiationMeta, from: string, accepted: boolean, terms?: Terms): Promise<void> {
    this.rooms.toUser(order.owner).emit(ServerEvent.OrderResponse, {
      order_id: order.id,
      negotiation_id: meta.id,
      from,
      from_name: await this.teams.nameOf(from),
      chemical: order.chemical,
      accepted,
      ...(terms ? { terms } : {}),
    });
  }
}

const gone = () => new ParleyError(ErrorCode.OrderGone, 'this order is no longer on the board (taken or withdrawn)', 409);
