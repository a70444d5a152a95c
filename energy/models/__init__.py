from energy.models.ledger import LedgerEntry
from energy.models.scheduling import DeferredJob, SchedulingDecision
from energy.models.sites import Certificate, Site
from energy.models.supply import SupplyInterval

__all__ = ["Certificate", "DeferredJob", "LedgerEntry", "SchedulingDecision", "Site", "SupplyInterval"]
