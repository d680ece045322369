/** The rules page of a market, in plain words (docs/MARKET.md quotes the same). */
export const MARKET_RULES: { title: string; text: string }[] = [
  {
    title: 'Your schedule is private',
    text: 'For each chemical you trade you are a buyer or a seller. A buyer’s schedule says what each unit is worth to you (the first units are worth the most); a seller’s says what each unit costs you (the first units are the cheapest). Nobody else sees your schedule.',
  },
  {
    title: 'Your score is your profit',
    text: 'When you buy a unit you earn its value minus the price you paid; when you sell a unit you earn the price minus its cost. Units count in the order you trade them: your third unit bought is worth the third step of your schedule.',
  },
  {
    title: 'Buying past your schedule earns nothing',
    text: 'A unit beyond your value schedule is worth 0 to you, so buying it only costs you its price.',
  },
  {
    title: 'You can only sell what your cost schedule holds',
    text: 'A seller cannot sell more units of a chemical than its cost schedule lists, and a buyer cannot sell a chemical it only buys.',
  },
  {
    title: 'You must be able to pay and deliver',
    text: 'An order, a proposal or an agreement you could not honour is refused at once. Everything you have open counts: an open buy order holds back its price × quantity of your cash, an open sale holds back its goods, until it is filled or withdrawn. Money from sales that have not happened yet does not count.',
  },
  { title: 'Prices are in cents', text: 'A price has at most two decimals and is at least 0.01.' },
  {
    title: 'Trading',
    text: 'Post an order, or answer someone else’s: “Accept as posted” trades at the order’s price at once; “Negotiate” opens a chat where you propose your own price. Where the market allows it you may take part of an order.',
  },
  {
    title: 'A good trade',
    text: 'A trade creates value when the buyer’s value is above the seller’s cost. The class does best when units go from the cheapest sellers to the buyers who value them most; the efficiency figure at the end says how close the market came.',
  },
];
