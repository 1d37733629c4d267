"""How every benchmark reports its targets: one line each with the name, the measured value and PASS or FAIL."""

from __future__ import annotations

from collections.abc import Sequence


def report_targets(checks: Sequence[tuple[str, str, bool]]) -> bool:
    """Print (name, measured value, met) per target under a 'targets' heading; True when every one is met."""
    width = max((len(name) for name, _, _ in checks), default=0)
    print("\ntargets")
    for name, value, ok in checks:
        print(f"  {name:<{width}} {value:>8}  {'PASS' if ok else 'FAIL'}")
    return all(ok for _, _, ok in checks)
