/**
 * Where a room view is in its life: loading (the negotiation's details over HTTP) → joining (its
 * Socket.io room) → joined (messages and offers can be sent) → closed (the negotiation is over: read-only,
 * final). A lost connection takes joined back to joining; a negotiation found over while loading goes
 * straight to closed. Leaving the view stops every transition, so a late answer changes nothing.
 */
export type RoomPhase = 'loading' | 'joining' | 'joined' | 'closed';

export class RoomState {
  phase: RoomPhase = 'loading';
  /** The view was left. */
  left = false;
  private detailsLoaded = false;
  /** In the socket room now (also while closed: a closed room still receives its history). */
  private member = false;
  private readonly listeners = new Set<(phase: RoomPhase) => void>();

  /** Called with every new phase; the view renders from it. */
  onChange(fn: (phase: RoomPhase) => void): void {
    this.listeners.add(fn);
  }

  /** The details are loaded (or failed to): the room may be joined from now on. */
  loaded(): void {
    this.detailsLoaded = true;
    this.move('loading', 'joining');
  }

  /** Out of the socket room: a (re)join begins, or the connection was lost. */
  outOfRoom(): void {
    this.member = false;
    this.move('joined', 'joining');
  }

  /** The join was acknowledged and the history merged. */
  joinDone(): void {
    this.member = true;
    this.move('joining', 'joined');
  }

  /** The negotiation is over; returns whether this is the first time the room hears it. */
  over(): boolean {
    const first = this.phase !== 'closed';
    this.set('closed');
    return first;
  }

  leave(): void {
    this.left = true;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  /** Joining (again) makes sense: loaded, and the view still shown. */
  get canJoin(): boolean {
    return this.detailsLoaded && !this.left;
  }

  /** In the socket room (events such as typing reach the others). */
  get inRoom(): boolean {
    return this.member && !this.left;
  }

  /** Messages and offers can be sent now. */
  get canSend(): boolean {
    return this.phase === 'joined' && this.member && !this.left;
  }

  /** A transition that applies only from `from` (joining twice, or a late answer after closing, changes nothing). */
  private move(from: RoomPhase, to: RoomPhase): void {
    if (this.phase === from) this.set(to);
  }

  private set(next: RoomPhase): void {
    if (this.left || next === this.phase) return;
    this.phase = next;
    for (const fn of this.listeners) fn(next);
  }
}
