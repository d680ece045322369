import { offerView } from '@parley/contracts';
import { Body, Controller, Get, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, NegotiationMeta, Outcome, ParleyError } from '@parley/contracts';
import { ScenarioCatalog } from '@parley/negotiation';
import { Infra } from '../infra';
import type { AuthUser } from '../auth/auth.service';
import { CurrentUser, HttpAuthGuard } from '../auth/http-auth.guard';
import { AccessService, statusOf } from '../realtime/access.service';
import { parseBody } from './parse-body';
import { ActionLimiter } from '../realtime/action-limiter';
import { TeamCaps } from './team-caps';

const createSchema = z.object({ scenario_id: z.string().min(1).max(64) });

export interface NegotiationSummary {
  negotiation_id: string;
  kind: NegotiationMeta['kind'];
  status: string;
  scenario_id?: string;
  chemical?: string;
  parties: { user: string; role: string }[];
  created_at: number;
  opening_terms?: NegotiationMeta['opening_terms'];
  outcome?: Outcome;
}

@Controller('api')
@UseGuards(HttpAuthGuard)
export class NegotiationsController {
  private readonly caps: TeamCaps;

  constructor(
    @Inject(Infra) private readonly infra: Infra,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ActionLimiter) private readonly limits: ActionLimiter,
  ) {
    this.caps = new TeamCaps(infra);
  }

  @Get('scenarios')
  async scenarios() {
    return { scenarios: await this.infra.scenarios.list() };
  }

  @Get('scenarios/:id')
  async scenario(@Param('id') id: string) {
    const s = await this.infra.scenarios.get(id).catch(() => null);
    if (!s) throw new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(id.slice(0, 64))}`, 404);
    return ScenarioCatalog.toPublic(s);
  }

  /** Opens an AI practice negotiation on a scenario in the student's own namespace. */
  @Post('negotiations')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown): Promise<NegotiationSummary> {
    const { scenario_id } = parseBody(createSchema, body);
    const scenario = await this.infra.scenarios.get(scenario_id).catch(() => null);
    if (!scenario) throw new ParleyError(ErrorCode.NotFound, `no scenario ${JSON.stringify(scenario_id)}`, 404);
    await this.limits.consume(user.email);
    const meta = await this.caps.openNegotiation(user.email, null, () =>
      this.infra.negotiations.createAi(user.email, scenario.id, scenario.student_role, scenario.ai_role, this.infra.config.staleAfterMs),
    );
    return summary(meta, 'active', null);
  }

  @Get('negotiations')
  async list(@CurrentUser() user: AuthUser): Promise<{ negotiations: NegotiationSummary[] }> {
    const { active, archived } = await this.infra.negotiations.listIds(user.email);
    const out: NegotiationSummary[] = [];
    for (const id of [...active, ...archived]) {
      const found = await this.access.find(user, id).catch(() => null);
      if (found) out.push(summary(found.located.meta, statusOf(found), found.outcome));
    }
    return { negotiations: out.sort((a, b) => b.created_at - a.created_at) };
  }

  @Get('negotiations/:id')
  async one(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const found = await this.access.find(user, id);
    const states = await this.infra.negotiations.readStates(found.located.dir);
    return {
      ...summary(found.located.meta, statusOf(found), found.outcome),
      my_role: found.party?.role ?? 'observer',
      offers: states.map(offerView),
    };
  }
}

export function summary(meta: NegotiationMeta, status: string, outcome: Outcome | null): NegotiationSummary {
  return {
    negotiation_id: meta.id,
    kind: meta.kind,
    status,
    ...(meta.scenario_id ? { scenario_id: meta.scenario_id } : {}),
    ...(meta.chemical ? { chemical: meta.chemical } : {}),
    parties: meta.parties.map((p) => ({ user: p.user, role: p.role })),
    created_at: meta.created_at,
    ...(meta.opening_terms ? { opening_terms: meta.opening_terms } : {}),
    ...(outcome ? { outcome } : {}),
  };
}
