"""Werkgevers: registry, contact log, vacancies, proposals, placements and aftercare."""
