import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { legacyScreen } from '../legacy';
import { lobbyView } from '../views/lobby';
import { ClassSessionsCard } from './join';

const LegacyLobby = legacyScreen(lobbyView);

/** The lobby (still plain DOM code) with the class sessions card drawn into its slot. */
export function Lobby() {
  // the lobby's own effect has drawn it by now (a child's effects run first)
  useEffect(() => {
    const slot = document.getElementById('lobby-sessions');
    if (!slot) return;
    render(<ClassSessionsCard />, slot);
    return () => render(null, slot);
  }, []);
  return <LegacyLobby />;
}
