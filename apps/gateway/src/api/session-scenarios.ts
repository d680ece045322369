import { Inject, Injectable } from '@nestjs/common';
import { SessionStore } from '@parley/store';
import type { AuthUser } from '../auth/auth.service';

/**
 * What a student may read of a scenario follows their sessions: the scenarios of a peer role-play
 * session they belong to are someone's partner's brief, so for those they get no `student_brief` (their
 * own side's brief comes with their negotiation) and no AI practice (which would show that brief).
 */
@Injectable()
export class SessionScenarios {
  constructor(@Inject(SessionStore) private readonly sessions: SessionStore) {}

  /** Ids of the scenarios whose briefs the user must not read outside their own negotiation. */
  async withheldFrom(user: AuthUser): Promise<Set<string>> {
    const withheld = new Set<string>();
    if (user.role === 'instructor') return withheld;
    for (const s of await this.sessions.list()) {
      if (s.mode !== 'peer' || s.scenario_ids.every((id) => withheld.has(id))) continue;
      if (await this.sessions.member(s.id, user.email)) s.scenario_ids.forEach((id) => withheld.add(id));
    }
    return withheld;
  }
}
