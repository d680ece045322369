/** Shapes of the HTTP API answers the client reads (the gateway's controllers define them). */
import type { Chemical, Holdings, NegotiationKind, Order, Outcome, Terms, Transaction } from '../../../libs/contracts/src/domain';
import type { OfferView } from '../../../libs/contracts/src/payloads';

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

export interface NegotiationSummary {
  negotiation_id: string;
  kind: NegotiationKind;
  status: string;
  scenario_id?: string;
  chemical?: Chemical;
  parties: { user: string; role: string }[];
  created_at: number;
  opening_terms?: Terms;
  outcome?: Outcome;
}

export interface NegotiationDetail extends NegotiationSummary {
  my_role: string;
  offers: OfferView[];
}

export interface TeamView {
  user: { email: string; name: string; role: string };
  holdings: Holdings;
  transactions: (Transaction & { file: string })[];
  orders: Order[];
  negotiations: { active: string[]; archived: string[] };
}

export interface InstructorNegotiation extends NegotiationSummary {
  last_activity: number | null;
  message_count: number;
  offers: OfferView[];
}

export interface InstructorTransaction extends Transaction {
  team: string;
  file: string;
}

export type { Order, Holdings, Terms, Outcome, Transaction, Chemical, OfferView };
