import { Inject, Injectable } from '@nestjs/common';
import { Order, ServerEvent, ServerPayloads } from '@parley/contracts';
import { MarketBook } from '@parley/market';
import { Rooms } from '../realtime/rooms';
import { OrderBoard } from './order-board';

type Change = ServerPayloads['order-board']['change'];

/**
 * Tells every team of a board at once that an order was posted, withdrawn or taken (`order-board`):
 * the free board's room (every signed-in socket), or each member of the order's market. Screens apply
 * it instead of waiting for their next refresh. A posted order comes as GET /api/orders lists it.
 */
@Injectable()
export class BoardPush {
  constructor(
    @Inject(Rooms) private readonly rooms: Rooms,
    @Inject(MarketBook) private readonly book: MarketBook,
    @Inject(OrderBoard) private readonly board: OrderBoard,
  ) {}

  async changed(change: Change, order: Order): Promise<void> {
    const payload = {
      change,
      order_id: order.id,
      market_id: order.market_id ?? null,
      ...(change === 'posted' ? { order: (await this.board.named([order]))[0] } : {}),
    };
    if (!order.market_id) return void this.rooms.toFreeBoard().emit(ServerEvent.OrderBoard, payload);
    const market = await this.book.load(order.market_id).catch(() => null);
    const members = Object.keys(market?.file.assignment ?? {});
    if (members.length) this.rooms.toUsers(members).emit(ServerEvent.OrderBoard, payload);
  }
}
