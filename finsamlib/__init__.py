"""finsamlib: loaders and indicators for the follow-up of Swedish samordningsförbund (Finsam)."""

from importlib.metadata import PackageNotFoundError, version

from .errors import FinsamDataError
from .loaders import (
    load_accounts,
    load_audit_rules,
    load_insats_budget,
    load_participants,
    load_population,
    load_portfolio,
    load_published,
    load_registry,
    load_standard_costs,
    load_table,
    load_target_group_sources,
)
from .outcomes import outcome_table
from .support_measure import load_support_measure

try:
    __version__ = version("finsamlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

__all__ = [
    "FinsamDataError",
    "__version__",
    "load_accounts",
    "load_audit_rules",
    "load_insats_budget",
    "load_participants",
    "load_population",
    "load_portfolio",
    "load_published",
    "load_registry",
    "load_standard_costs",
    "load_support_measure",
    "load_table",
    "load_target_group_sources",
    "outcome_table",
]
