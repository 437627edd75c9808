"""Werkgevers: registry, contact log, vacancies, proposals, placements and aftercare.

- ``models`` the tables and the enums with their Dutch labels; ``lifecycle`` the proposal and
  vacancy lifecycles as data;
- the services, which hold the rules and never commit: ``registry`` (employers, KvK, contact
  persons, merging, sectors), ``contacts`` (contact moments, follow-ups), ``vacancies``
  (vacancies, proposals), ``placements`` (placements, aftercare); ``pages`` what the pages show;
  ``common`` what they share (input checks, optimistic locking, the one permission check);
- ``views``, ``forms`` (HTML) and ``api``, ``schemas`` (JSON) parse and answer;
- ``receivers.connect()`` hooks into cases (the step geplaatst), once, from ``create_app``;
  ``demo`` seeds the demo data.
"""
