"""Pipeline statistics: the harmonised figures per region, the region comparison and exports.

Every figure is derived from the step history (``CaseEvent``). Two summary tables
(:mod:`rmt.stats.models`) are kept up to date from that history on every flush that writes a
step change, so the pages query a few thousand summary rows instead of a million events.
"""
