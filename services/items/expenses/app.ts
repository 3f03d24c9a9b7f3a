/** The expense routes: log, list, correct, remove, pay a renewal, and the garage's renewals. */
import { actorOf } from '../changes/log.ts'
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import {
  ExpenseCreate,
  ExpenseEdit,
  ExpenseList,
  ExpenseLoggedBy,
  ExpenseNumber,
  ExpenseLoggedQuery,
  ExpensesQuery,
  ExpenseView,
  RenewalList,
  RenewalPayment,
  RenewalsQuery,
} from './model.ts'
import { editExpense, expenseLoggedBy, listExpenses, listRenewals, logExpense, payRenewal, removeExpense } from './service.ts'

export const expenseRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/expenses', ({ tenant, query }) => listExpenses(db, tenant, query, pageOf(query)), {
      query: ExpensesQuery,
      response: ExpenseList,
      detail: { summary: 'Expenses (of a car, of a kind), newest first, a page at a time' },
    })
    .post(
      '/expenses',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /expenses', (t) => logExpense(db, t, body, now(), actorOf(headers['x-actor'])), 201),
      {
        body: ExpenseCreate,
        response: { 200: ExpenseView, 201: ExpenseView },
        detail: { summary: 'Log an expense; with `every` it renews, and its renewal is reminded' },
      },
    )
    .get('/expenses/logged', ({ tenant, query }) => expenseLoggedBy(db, tenant, query.number), {
      query: ExpenseLoggedQuery,
      response: ExpenseLoggedBy,
      detail: { summary: 'Who logged an expense (`<platform>:<user id>`), or null when not known' },
    })
    .post(
      '/expenses/edit',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /expenses/edit', (t) => editExpense(db, t, body, now(), actorOf(headers['x-actor']))),
      {
        body: ExpenseEdit,
        response: ExpenseView,
        detail: { summary: 'Change expense #N; what is left out stays, its renewal follows' },
      },
    )
    .post(
      '/expenses/remove',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /expenses/remove', (t) =>
          removeExpense(db, t, body.number, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: ExpenseNumber,
        response: ExpenseView,
        detail: { summary: 'Remove expense #N; its renewal goes back to the one before it' },
      },
    )
    .post(
      '/expenses/pay',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /expenses/pay',
          (t) => {
            const { number, ...payment } = body
            return payRenewal(db, t, number, payment, now(), actorOf(headers['x-actor']))
          },
          201,
        ),
      {
        body: RenewalPayment,
        response: { 200: ExpenseView, 201: ExpenseView },
        detail: { summary: 'Pay the renewal that follows expense #N (its reminder form); once per renewal' },
      },
    )
    .get('/renewals', ({ tenant, query }) => listRenewals(db, tenant, query.car, now()), {
      query: RenewalsQuery,
      response: RenewalList,
      detail: { summary: 'Renewals of recurring expenses, most urgent first' },
    })
