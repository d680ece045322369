import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CHEMICALS, ErrorCode, ParleyError } from '@parley/contracts';
import { CONFIG, ParleyConfig } from '@parley/config';
import { NegotiationStore, OrderStore } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';
import { MAX_PRICE, MAX_QUANTITY } from '@parley/negotiation';
import { ActionLimiter } from '../realtime/action-limiter';
import { parseBody } from './parse-body';
import { TeamCaps } from './team-caps';
import { OrderBoard } from './order-board';

const orderSchema = z.object({
  side: z.enum(['buy', 'sell'], { message: 'side must be "buy" or "sell"' }),
  chemical: z.enum(CHEMICALS, { message: `chemical must be one of ${CHEMICALS.join(', ')}` }),
  price: z
    .number({ message: 'price must be a number' })
    .finite()
    .gt(0, 'price must be above 0')
    .max(MAX_PRICE, `price must be at most ${MAX_PRICE}`),
  quantity: z
    .number({ message: 'quantity must be a number' })
    .int('quantity must be a whole number')
    .gt(0, 'quantity must be above 0')
    .max(MAX_QUANTITY, `quantity must be at most ${MAX_QUANTITY}`),
});
const filterSchema = z.object({ chemical: z.enum(CHEMICALS).optional() });

/** The order board of the trading game; orders live in their owner's namespace. */
@Controller('api/orders')
@UseGuards(HttpAuthGuard)
export class OrdersController {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(ActionLimiter) private readonly limits: ActionLimiter,
    @Inject(TeamCaps) private readonly caps: TeamCaps,
    @Inject(OrderBoard) private readonly board: OrderBoard,
  ) {}

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    const order = parseBody(orderSchema, body);
    await this.limits.consume(user.email);
    return this.caps.createOrder(user.email, () => this.orders.create(user.email, order));
  }

  @Get()
  async list(@Query() query: unknown) {
    const { chemical } = parseBody(filterSchema, query);
    const orders = await this.board.list();
    return { orders: chemical ? orders.filter((o) => o.chemical === chemical) : orders };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    const order = await this.orders.find(id);
    if (!order) throw new ParleyError(ErrorCode.NotFound, 'no such order', 404);
    if (order.owner !== user.email) throw new ParleyError(ErrorCode.Forbidden, 'only the team that posted an order can cancel it', 403);
    await this.orders.remove(user.email, id);
  }

  /** Opens a peer negotiation: the order's owner is the initiator (seed 000), the responder is this team. */
  @Post(':id/respond')
  async respond(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const order = await this.orders.find(id);
    if (!order) throw new ParleyError(ErrorCode.NotFound, 'no such order', 404);
    if (order.owner === user.email) throw new ParleyError(ErrorCode.Conflict, 'you cannot respond to your own order', 409);
    await this.limits.consume(user.email);
    const meta = await this.caps.openNegotiation(user.email, order.id, () =>
      this.negotiations.createPeer({
        initiator: order.owner,
        initiatorRole: order.side === 'buy' ? 'buyer' : 'seller',
        responder: user.email,
        chemical: order.chemical,
        orderId: order.id,
        openingTerms: { price: order.price, quantity: order.quantity },
        ttlMs: this.config.staleAfterMs,
      }),
    );
    return { negotiation_id: meta.id, negotiation: meta };
  }
}
