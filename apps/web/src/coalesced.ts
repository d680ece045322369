/**
 * Runs `run` when called — never twice at once: called again while it runs, it runs once more after
 * (a burst of changes costs at most one read in flight and one after it). A failed run is the caller's
 * to report; the next call runs again.
 */
export function coalesced(run: () => Promise<unknown>): () => void {
  let running = false;
  let again = false;
  const done = (): void => {
    running = false;
    if (!again) return;
    again = false;
    go();
  };
  const go = (): void => {
    if (running) return void (again = true);
    running = true;
    run().then(done, done);
  };
  return go;
}
