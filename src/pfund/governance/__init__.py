"""Governance: the joint committee's voting rule applied to votes (pure engine).

No store, web or clock: the same seats, votes and rule give the same tally, which is
what lets a decision record say exactly which rule decided an item.
"""

from pfund.governance.voting import Outcome, SideCount, Tally, tally

__all__ = ["Outcome", "SideCount", "Tally", "tally"]
