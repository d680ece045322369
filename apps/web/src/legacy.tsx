import { useEffect, useRef } from 'preact/hooks';
import { app, type App } from './app';
import type { ScreenProps } from './screens';

/**
 * A screen still written as plain DOM code: it draws itself into an element and returns what undoes it
 * (listeners, timers). Wrapped as a component so the router can show it beside the Preact screens.
 */
export type View = (main: HTMLElement, app: App, param?: string) => (() => void) | void;

export function legacyScreen(view: View) {
  return function LegacyScreen({ param }: ScreenProps) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
      const undo = view(ref.current!, app, param);
      return () => undo?.();
    }, [param]);
    return <div ref={ref} class="view" />;
  };
}
