import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';
import type { ParleyConfig } from '@parley/config';
import { ProvidersModule } from '@parley/providers';
import { SetupController } from './auth/setup.controller';
import { SetupService } from './auth/setup.service';
import { AuthService } from './auth/auth.service';
import { AuthController } from './auth/auth.controller';
import { HttpAuthGuard } from './auth/http-auth.guard';
import { HttpErrorsFilter } from './http-errors.filter';
import { HealthController } from './api/health.controller';
import { NegotiationsController } from './api/negotiations.controller';
import { ScenariosController } from './api/scenarios.controller';
import { OrdersController } from './api/orders.controller';
import { MarketsController } from './api/markets.controller';
import { TeamsController } from './api/teams.controller';
import { InstructorController } from './api/instructor.controller';
import { AdminController } from './api/admin.controller';
import { AccessService } from './realtime/access.service';
import { ChatService } from './realtime/chat.service';
import { OfferService } from './realtime/offer.service';
import { NegotiationGateway } from './realtime/negotiation.gateway';
import { NegotiationService } from './realtime/negotiation.service';
import { Rooms } from './realtime/rooms';
import { ConnectionLimiter } from './realtime/connection-limiter';
import { ActionLimiter } from './realtime/action-limiter';
import { TeamCaps } from './api/team-caps';
import { SessionScenarios } from './api/session-scenarios';
import { OrderBoard } from './api/order-board';
import { TradeDesk } from './api/trade-desk';
import { BoardPush } from './api/board-push';
import { sessionMarkets } from './api/session-markets';
import { MarketOpener } from '@parley/market';
import { TranscriptCache } from './realtime/transcript-cache';
import { SessionRooms } from './realtime/session-rooms';
import { SessionsController } from './api/sessions.controller';
import { UsersController } from './api/users.controller';
import { JoinLinkController } from './api/join-link.controller';
import { SessionPush, SessionRecords, SessionReports, SessionService } from '@parley/sessions';
import { NegotiationStore, SessionStore, TeamStore } from '@parley/store';
import { ScenarioCatalog } from '@parley/negotiation';
import { JobProducer, RoomEmitter } from '@parley/queues';

@Module({})
export class GatewayModule {
  static register(config: ParleyConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ProvidersModule.forRoot({ config, service: 'gateway', logger, chatCommitLog: true })],
      controllers: [
        AuthController,
        SetupController,
        HealthController,
        NegotiationsController,
        ScenariosController,
        OrdersController,
        MarketsController,
        TeamsController,
        AdminController,
        InstructorController,
        SessionsController,
        UsersController,
        JoinLinkController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorsFilter },
        AuthService,
        SetupService,
        HttpAuthGuard,
        AccessService,
        ChatService,
        OfferService,
        ConnectionLimiter,
        ActionLimiter,
        TeamCaps,
        SessionScenarios,
        OrderBoard,
        TradeDesk,
        BoardPush,
        TranscriptCache,
        Rooms,
        NegotiationService,
        NegotiationGateway,
        SessionRooms,
        {
          provide: SessionService,
          useFactory: (
            sessions: SessionStore,
            teams: TeamStore,
            negotiations: NegotiationStore,
            scenarios: ScenarioCatalog,
            producer: JobProducer,
            emitter: RoomEmitter,
            records: SessionRecords,
            push: SessionPush,
            markets: MarketOpener,
          ) => {
            const service = new SessionService(sessions, teams, negotiations, scenarios, producer, emitter, records, push);
            service.marketRounds = sessionMarkets(markets, sessions);
            return service;
          },
          inject: [
            SessionStore,
            TeamStore,
            NegotiationStore,
            ScenarioCatalog,
            JobProducer,
            RoomEmitter,
            SessionRecords,
            SessionPush,
            MarketOpener,
          ],
        },
        {
          provide: SessionReports,
          useFactory: (sessions: SessionStore, records: SessionRecords, scenarios: ScenarioCatalog) =>
            new SessionReports(sessions, records, scenarios),
          inject: [SessionStore, SessionRecords, ScenarioCatalog],
        },
      ],
    };
  }
}
