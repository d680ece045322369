import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { app } from '../app';
import { lobbyView } from '../views/lobby';
import { ClassSessionsCard } from './join';

/** The lobby (still plain DOM code) with the class sessions card, a component, drawn into its slot. */
export function Lobby() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const undo = lobbyView(ref.current!, app);
    const slot = document.getElementById('lobby-sessions');
    if (slot) render(<ClassSessionsCard />, slot);
    return () => {
      if (slot) render(null, slot);
      undo?.();
    };
  }, []);
  return <div ref={ref} class="view" />;
}
