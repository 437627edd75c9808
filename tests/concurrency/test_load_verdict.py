"""benchmarks/load.py's integrity verdict catches lost, duplicated and unexpected writes."""

from __future__ import annotations

from benchmarks.load import Results, check_integrity


def _results(**fields) -> Results:
    results = Results()
    results.acknowledged.update(fields.get("acknowledged", {}))
    results.dropped.update(fields.get("dropped", ()))
    results.refused.update(fields.get("refused", ()))
    return results


def test_every_acknowledged_write_once_is_ok():
    results = _results(acknowledged={"a": 1, "b": 2}, dropped={"c", "d"}, refused={"e"})
    verdict = check_integrity(results, [("a", 1), ("b", 2), ("c", 3)], True, "in orde")
    assert verdict.ok, verdict.problems
    assert verdict.dropped_stored == 1


def test_lost_duplicated_misfiled_and_unexpected_writes_fail():
    results = _results(acknowledged={"lost": 1, "twice": 2, "moved": 3}, dropped={"d"},
                       refused={"refused"})
    stored = [("twice", 2), ("twice", 9), ("moved", 4), ("d", 5), ("d", 6), ("refused", 7),
              ("stranger", 8)]
    problems = check_integrity(results, stored, True, "in orde").problems
    assert any("'lost'" in p and "0 times" in p for p in problems)
    assert any("'twice'" in p and "2 times" in p for p in problems)
    assert any("'moved'" in p and "under id" in p for p in problems)
    assert any("dropped 'd'" in p for p in problems)
    assert any("refused 'refused'" in p for p in problems)
    assert any("unexpected note 'stranger'" in p for p in problems)


def test_server_errors_and_a_broken_audit_chain_fail():
    results = _results(acknowledged={"a": 1})
    results.add("write own case", 500, 1.0, b"boom")
    verdict = check_integrity(results, [("a", 1)], False, "VERBROKEN")
    assert not verdict.ok
    assert any(">= 500" in p for p in verdict.problems)
    assert any("audit verify failed" in p for p in verdict.problems)
