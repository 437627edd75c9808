"""Praktijkverklaring: an mbo school's certificate of werkprocessen shown in practice at a
recognised leerbedrijf (docs/decisions.md, Praktijkverklaring).

``lifecycle`` is the pure state machine (no Flask, no database); ``service`` applies it to rows,
assigns register numbers and writes the audit trail; ``views`` and ``api`` only parse and render.
"""
