"""Loan rules: the loan period, renewals and maximum loans per library and copy type (a
library's rule covers the points under it), and the default when no rule matches."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.circulation.models import LoanRule
from catalog.errors import N_, ValidationError
from catalog.libraries import Library, ancestor_ids
from catalog.accounts.permissions import require_desk
from catalog.accounts.users import User

# Used when no LoanRule matches: (loan days, renewals allowed, maximum loans per reader).
DEFAULT_RULE = (21, 2, 5)


@dataclasses.dataclass(frozen=True)
class Rule:
    loan_days: int
    renewals_allowed: int
    max_loans: int


def loan_rule(session: Session, library_id: int, item_type: str) -> Rule:
    """The most specific rule for a copy type lent at a library (its parents' rules apply too)."""
    chain = [library_id, *ancestor_ids(session, library_id)]
    rules = list(session.scalars(select(LoanRule).where(
        (LoanRule.library_id.in_(chain)) | (LoanRule.library_id.is_(None)))))

    def rank(rule: LoanRule) -> tuple[int, int]:
        place = chain.index(rule.library_id) if rule.library_id is not None else len(chain)
        return (place, 0 if rule.item_type == item_type else 1)

    matching = [r for r in rules if r.item_type in (None, item_type)]
    if not matching:
        return Rule(*DEFAULT_RULE)
    best = min(matching, key=rank)
    return Rule(best.loan_days, best.renewals_allowed, best.max_loans)


def set_loan_rule(session: Session, *, library: Library | None, item_type: str | None, loan_days: int,
                  renewals_allowed: int, max_loans: int, staff: User | None = None) -> LoanRule:
    """Create or replace the rule for a library (None: every library, admins only) and copy type (None: any)."""
    require_desk(session, staff, library.id if library is not None else None)
    if loan_days < 1 or renewals_allowed < 0 or max_loans < 1:
        raise ValidationError(N_("A loan lasts at least one day and a reader may borrow at least one copy."),
                              field="loan_days")
    item_type = (item_type or "").strip() or None
    rule = session.scalar(select(LoanRule).where(
        LoanRule.library_id.is_(None) if library is None else LoanRule.library_id == library.id,
        LoanRule.item_type.is_(None) if item_type is None else LoanRule.item_type == item_type))
    if rule is None:
        rule = LoanRule(library=library, item_type=item_type)
        session.add(rule)
    rule.loan_days, rule.renewals_allowed, rule.max_loans = loan_days, renewals_allowed, max_loans
    session.flush()
    return rule
