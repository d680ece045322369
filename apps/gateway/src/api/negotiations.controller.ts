import { offerView, waitingFor } from '@parley/contracts';
import { Body, Controller, Get, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, NegotiationMeta, NegotiationSummary, Outcome, ParleyError } from '@parley/contracts';
import { briefFor, buildDebrief, Debrief, ownSide, partyForRole, ScenarioCatalog } from '@parley/negotiation';
import { CONFIG, ParleyConfig } from '@parley/config';
import { MessageLog, NegotiationStore, TeamStore } from '@parley/store';
import { partiesWithNames } from '../realtime/negotiation.service';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';
import { AccessService, statusOf } from '../realtime/access.service';
import { parseBody } from './parse-body';
import { ActionLimiter } from '../realtime/action-limiter';
import { TeamCaps } from './team-caps';
import { SessionScenarios } from './session-scenarios';

const createSchema = z.object({ scenario_id: z.string().min(1).max(64) });

@Controller('api')
@UseGuards(HttpAuthGuard)
export class NegotiationsController {
  constructor(
    @Inject(CONFIG) private readonly config: ParleyConfig,
    @Inject(ScenarioCatalog) private readonly scenarioCatalog: ScenarioCatalog,
    @Inject(NegotiationStore) private readonly negotiations: NegotiationStore,
    @Inject(MessageLog) private readonly messages: MessageLog,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ActionLimiter) private readonly limits: ActionLimiter,
    @Inject(TeamCaps) private readonly caps: TeamCaps,
    @Inject(TeamStore) private readonly teams: TeamStore,
    @Inject(SessionScenarios) private readonly sessionScenarios: SessionScenarios,
  ) {}

  /** Opens an AI practice negotiation on a scenario in the student's own namespace. */
  @Post('negotiations')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown): Promise<NegotiationSummary> {
    const { scenario_id } = parseBody(createSchema, body);
    const scenario = await this.scenarioCatalog.get(scenario_id).catch(() => null);
    if (!scenario) throw new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(scenario_id)}`, 404);
    if ((await this.sessionScenarios.withheldFrom(user)).has(scenario.id))
      throw new ParleyError(ErrorCode.Forbidden, 'this scenario is a role-play of your session: practise another one with the AI', 403);
    await this.limits.consume(user.email);
    const { meta } = await this.caps.openNegotiation(user.email, null, () =>
      this.negotiations.createAi(user.email, scenario.id, scenario.student_role, scenario.ai_role, this.config.staleAfterMs),
    );
    return summary(meta, 'active', null);
  }

  @Get('negotiations')
  async list(@CurrentUser() user: AuthUser): Promise<{ negotiations: NegotiationSummary[] }> {
    const { active, archived } = await this.negotiations.listIds(user.email);
    const out: NegotiationSummary[] = [];
    for (const id of [...active, ...archived]) {
      const found = await this.access.find(user, id).catch(() => null);
      if (!found) continue;
      const { meta, place, dir } = found.located;
      const waiting =
        meta.kind === 'peer' && place === 'active'
          ? waitingFor(await this.negotiations.readStates(dir), user.email, meta.initiator)
          : undefined;
      out.push({ ...summary(meta, statusOf(found), found.outcome, user.email), ...(waiting ? { waiting_for: waiting } : {}) });
    }
    const names = await this.teams.namesOf(out.flatMap((n) => n.parties.map((p) => p.user)));
    for (const n of out) n.parties = n.parties.map((p) => ({ ...p, name: names.get(p.user) }));
    return { negotiations: out.sort((a, b) => b.created_at - a.created_at) };
  }

  @Get('negotiations/:id')
  async one(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const found = await this.access.find(user, id);
    const states = await this.negotiations.readStates(found.located.dir);
    const meta = found.located.meta;
    // the student's own walk-away and brief (never the other side's): the client asks before a worse agreement
    const scenario =
      meta.kind !== 'peer' && meta.scenario_id && found.party && found.party.user !== 'ai'
        ? await this.scenarioCatalog.get(meta.scenario_id).catch(() => null)
        : null;
    const side = scenario && found.party ? partyForRole(scenario, found.party.role) : null;
    return {
      ...summary(meta, statusOf(found), found.outcome, found.party?.user),
      parties: await partiesWithNames(this.teams, meta.parties),
      my_role: found.party?.role ?? 'observer',
      offers: states.map(offerView),
      ...(scenario && side ? { own_side: ownSide(scenario, side), brief: briefFor(scenario, found.party!.role) } : {}),
    };
  }

  /** After the end only: both briefs, the deal on a chart and the coaching feedback. */
  @Get('negotiations/:id/debrief')
  async debrief(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<Debrief> {
    const found = await this.access.find(user, id);
    const { meta, dir, place } = found.located;
    if (place !== 'archived' || !found.outcome)
      throw new ParleyError(ErrorCode.Conflict, 'the debrief opens once the negotiation is over', 409);
    const scenario = meta.kind !== 'peer' && meta.scenario_id ? await this.scenarioCatalog.get(meta.scenario_id).catch(() => null) : null;
    if (!scenario) throw new ParleyError(ErrorCode.NotFound, 'this negotiation has no scenario to debrief', 404);
    const transcript = await this.messages.readAll(dir);
    if (meta.kind === 'roleplay') {
      // each student from their own brief; an instructor sees the first seat's
      const seat = found.party ?? meta.parties[0];
      const party = partyForRole(scenario, seat.role) ?? 'student';
      return buildDebrief({ scenario, meta, outcome: found.outcome, transcript, party, user: seat.user });
    }
    return buildDebrief({ scenario, meta, outcome: found.outcome, transcript });
  }
}

/** A role-play's outcome shows the viewer only their own score (`viewer`: the party asking). */
export function summary(meta: NegotiationMeta, status: string, outcome: Outcome | null, viewer?: string): NegotiationSummary {
  return {
    negotiation_id: meta.id,
    kind: meta.kind,
    status,
    ...(meta.scenario_id ? { scenario_id: meta.scenario_id } : {}),
    ...(meta.chemical ? { chemical: meta.chemical } : {}),
    parties: meta.parties.map((p) => ({ user: p.user, role: p.role })),
    created_at: meta.created_at,
    ...(meta.opening_terms ? { opening_terms: meta.opening_terms } : {}),
    ...(meta.market_id ? { market_id: meta.market_id } : {}),
    ...(outcome ? { outcome } : {}),
    ...(outcome ? { outcome: viewer ? ownOutcome(outcome, viewer) : outcome } : {}),
    ...(meta.session_id ? { session_id: meta.session_id, round: meta.round } : {}),
  };
}

function ownOutcome(outcome: Outcome, viewer: string): Outcome {
  if (!outcome.scores) return outcome;
  const { scores, ...rest } = outcome;
  const own = scores[viewer];
  return own ? { ...rest, final_score: own.final_score, score_explanations: own.score_explanations } : rest;
}
