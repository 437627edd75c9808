"""Pipeline statistics: the harmonised figures per region, the region comparison and exports.

Every figure is derived from the step history (``CaseEvent``). Two summary tables
(:mod:`rmt.stats.models`) are kept up to date from that history on every flush that writes a
step change (listeners installed by :func:`rmt.stats.receivers.connect`), so the pages query a
few thousand summary rows instead of a million events.

Modules: :mod:`~rmt.stats.scope` (scope, period, breakdown), :mod:`~rmt.stats.summary` (the
summary tables), :mod:`~rmt.stats.service` (the case figures), :mod:`~rmt.stats.modules` (the
figures of vouchers, praktijkverklaringen and employers), :mod:`~rmt.stats.tables` (every table
the pages, downloads and API show), :mod:`~rmt.stats.suppression` (small-cell protection).
"""
