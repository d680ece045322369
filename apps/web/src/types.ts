/** Shapes of the HTTP API answers the client reads; the server's own are in libs/contracts (http.ts). */
import type {
  BoardOrder,
  Chemical,
  ClassNegotiation,
  ClassTransaction,
  Holdings,
  NegotiationDetail,
  NegotiationSummary,
  Order,
  Outcome,
  Terms,
  TeamTransaction,
  Transaction,
  OfferView,
} from '@parley/contracts/browser';

export interface Issue {
  name: string;
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
}

export interface ScenarioInfo {
  id: string;
  title: string;
  summary: string;
  student_role: string;
  ai_role: string;
  student_brief: string;
  issues: Issue[];
}

export interface TeamView {
  user: { email: string; name: string; role: string };
  holdings: Holdings;
  transactions: TeamTransaction[];
  orders: Order[];
  negotiations: { active: string[]; archived: string[] };
}

/** The instructor's lists (the gateway's answers, typed in libs/contracts). */
export type { ClassNegotiation as InstructorNegotiation, ClassTransaction as InstructorTransaction };
export type { NegotiationDetail, NegotiationSummary };

export type { BoardOrder, Order, Holdings, Terms, Outcome, Transaction, Chemical, OfferView };
