import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { CHEMICALS, ErrorCode, ParleyError } from '@parley/contracts';
import { OrderStore } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';
import { MAX_QUANTITY, parsePrice } from '@parley/negotiation';
import { ActionLimiter } from '../realtime/action-limiter';
import { parseBody } from './parse-body';
import { OrderBoard } from './order-board';
import { TradeDesk } from './trade-desk';

const quantity = z
  .number({ message: 'quantity must be a number' })
  .int('quantity must be a whole number')
  .gt(0, 'quantity must be above 0')
  .max(MAX_QUANTITY, `quantity must be at most ${MAX_QUANTITY}`);

const orderSchema = z.object({
  side: z.enum(['buy', 'sell'], { message: 'side must be "buy" or "sell"' }),
  chemical: z.enum(CHEMICALS, { message: `chemical must be one of ${CHEMICALS.join(', ')}` }),
  // cents exactly: at most two decimals, 0.01 – 1,000,000.00 (5e-7 is refused, never rounded)
  price: z.number({ message: 'price must be a number' }).superRefine((price, ctx) => {
    const r = parsePrice(price);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  }),
  quantity,
  market_id: z.string().min(1, 'market_id must not be empty').max(64).optional(),
});
const acceptSchema = z.object({ quantity: quantity.optional() }).strict();
const filterSchema = z.object({ chemical: z.enum(CHEMICALS).optional(), market_id: z.string().max(64).optional() });

/** The order board of the trading game (or of a market); orders live in their owner's namespace. */
@Controller('api/orders')
@UseGuards(HttpAuthGuard)
export class OrdersController {
  constructor(
    @Inject(OrderStore) private readonly orders: OrderStore,
    @Inject(ActionLimiter) private readonly limits: ActionLimiter,
    @Inject(OrderBoard) private readonly board: OrderBoard,
    @Inject(TradeDesk) private readonly desk: TradeDesk,
  ) {}

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    const order = parseBody(orderSchema, body);
    await this.limits.consume(user.email);
    return this.desk.postOrder(user.email, order);
  }

  /** One board per market: without `market_id` the free trading board. */
  @Get()
  async list(@Query() query: unknown) {
    const { chemical, market_id } = parseBody(filterSchema, query);
    const orders = (await this.board.list()).filter((o) => o.market_id === market_id && (!chemical || o.chemical === chemical));
    return { orders: await this.board.named(orders) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    const order = await this.orders.find(id);
    if (!order) throw new ParleyError(ErrorCode.NotFound, 'no such order', 404);
    if (order.owner !== user.email) throw new ParleyError(ErrorCode.Forbidden, 'only the team that posted an order can cancel it', 403);
    await this.desk.withdraw(user.email, order);
  }

  /**
   * Opens a peer negotiation: the order's owner is the initiator (seed 000), the responder is this team.
   * Answering the same order again gives back the open negotiation (200) instead of a second one.
   */
  @Post(':id/respond')
  async respond(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    const order = await this.orders.find(id);
    if (!order) throw new ParleyError(ErrorCode.NotFound, 'no such order', 404);
    if (order.owner === user.email) throw new ParleyError(ErrorCode.Conflict, 'you cannot respond to your own order', 409);
    await this.limits.consume(user.email);
    const { meta, existing } = await this.desk.respond(user.email, order);
    if (existing) res.status(200);
    return { negotiation_id: meta.id, negotiation: meta, existing };
  }

  /** Takes the order as posted (all of it, or `quantity` where partial fills are allowed): agreed in one step. */
  @Post(':id/accept')
  async accept(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown) {
    const { quantity } = parseBody(acceptSchema, body ?? {});
    await this.limits.consume(user.email);
    const meta = await this.desk.accept(user.email, id, quantity);
    return { negotiation_id: meta.id, negotiation: meta };
  }
}
