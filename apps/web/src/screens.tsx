/**
 * Every screen of the client, by route name (#/<name>/<param>/<sub>). To add a screen: write a component
 * in screens/ taking ScreenProps, and add it here with who may see it.
 */
import type { FunctionComponent } from 'preact';
import { Accounts } from './screens/accounts';
import { Dashboard } from './screens/dashboard';
import { Join } from './screens/join';
import { Lobby } from './screens/lobby';
import { Login } from './screens/login';
import { MarketRules, MarketScreen } from './screens/market';
import { Markets } from './screens/markets';
import { RoomScreen } from './room/room';
import { Scenarios } from './screens/scenarios';
import { SessionScreen } from './screens/session';
import { Sessions } from './screens/sessions';
import { Setup } from './screens/setup';

export interface ScreenProps {
  param?: string;
  sub?: string;
}

export interface ScreenEntry {
  component: FunctionComponent<ScreenProps>;
  /** Shown without signing in (a signed-in user is sent home instead). */
  public?: boolean;
  /** Only for instructors (others are sent to the lobby). */
  instructor?: boolean;
}

export const SCREENS: Record<string, ScreenEntry> = {
  login: { component: Login, public: true },
  setup: { component: Setup, public: true },
  lobby: { component: Lobby },
  room: { component: RoomScreen },
  instructor: { component: Dashboard, instructor: true },
  join: { component: Join },
  sessions: { component: Sessions, instructor: true },
  session: { component: SessionScreen },
  accounts: { component: Accounts, instructor: true },
  scenarios: { component: Scenarios, instructor: true },
  markets: { component: Markets },
  market: { component: MarketScreen },
  'market-rules': { component: MarketRules },
};
