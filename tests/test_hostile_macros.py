"""Macros that blow up: expansion is capped in size and in calls as well as in depth, and stops
while expanding (before the huge text exists), naming the macro, the user's call and the limit.

Splunk's macros.conf spec
(https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/10.0/10.0.0-configuration-file-reference/macros.conf)
documents no cap on an expansion's size; the caps are spl's (spl/macros.py says why).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from spl.errors import MacroError, Span
from spl.macros import MAX_CALLS, MAX_EXPANDED_CHARS, MacroLibrary

LEVELS = 20


def library(tmp_path: Path, conf: str) -> MacroLibrary:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "macros.conf").write_text(conf)
    return MacroLibrary.load([folder], bundled=False)


def doubling(leaf: str) -> str:
    """m0 calls m1 twice, m1 calls m2 twice ... m19 is ``leaf``: 2^19 copies of the leaf."""
    stanzas = [f"[m{k}]\ndefinition = `m{k + 1}` `m{k + 1}`\n" for k in range(LEVELS - 1)]
    stanzas.append(f"[m{LEVELS - 1}]\ndefinition = {leaf}\n")
    return "\n".join(stanzas)


@pytest.fixture
def count_resolved(monkeypatch):
    """How many macro calls the expansion resolved (the work done before it stopped)."""
    seen = []
    resolve = MacroLibrary._resolve

    def counting(self, name, args, where, source):
        seen.append(name)
        return resolve(self, name, args, where, source)

    monkeypatch.setattr(MacroLibrary, "_resolve", counting)
    return seen


def test_twenty_doubling_levels_stop_at_the_size_cap(tmp_path, count_resolved):
    """1000-character leaves: the full expansion would be 2^19 x 1000 characters (about 500 MB).
    It stops once the output passes the cap: about cap / 1001 leaves, plus the levels above."""
    lib = library(tmp_path, doubling("x" * 1000))
    search = "index=main `m0` | stats count"
    with pytest.raises(MacroError) as info:
        lib.expand(search)
    assert info.value.message == (f"macro `m{LEVELS - 1}` expands the search past "
                                  f"{MAX_EXPANDED_CHARS:,} characters (spl's limit on the size "
                                  "of an expanded search)")
    assert info.value.span == Span(11, 15)  # `m0` in the user's text
    leaves = count_resolved.count(f"m{LEVELS - 1}")
    assert leaves <= MAX_EXPANDED_CHARS // 1000 + 1
    assert len(count_resolved) <= 2 * leaves + LEVELS


def test_doubling_with_empty_leaves_stops_at_the_call_cap(tmp_path, count_resolved):
    """Nothing is produced, but 2^20 - 1 calls would be made: the call cap stops it."""
    lib = library(tmp_path, doubling(""))
    search = "`m0`"
    with pytest.raises(MacroError) as info:
        lib.expand(search)
    assert info.value.message.endswith(f"the search makes more than {MAX_CALLS:,} macro calls "
                                       "(spl's limit on macro expansion)")
    assert info.value.message.startswith("macro `m")
    assert info.value.span == Span(0, 4)
    assert len(count_resolved) == MAX_CALLS


def test_arguments_that_double_are_stopped_before_they_are_built(tmp_path, count_resolved):
    """a0($x$) passes $x$$x$ to a1, and so on: 40 levels would make 2^40 characters in one
    argument. The cap is hit at the level where the body would pass it (2^20 > 1,000,000)."""
    stanzas = [f"[a{k}(1)]\nargs = x\ndefinition = `a{k + 1}($x$$x$)`\n" for k in range(40)]
    stanzas.append("[a40(1)]\nargs = x\ndefinition = $x$\n")
    lib = library(tmp_path, "\n".join(stanzas))
    search = "search `a0(y)`"
    with pytest.raises(MacroError) as info:
        lib.expand(search)
    # a_k's body holds 2^(k+1) y's (plus the call text around them): over the cap first at k=19
    assert info.value.message.startswith("macro `a19` expands the search past")
    assert info.value.span == Span(7, 14)
    assert len(count_resolved) == 20


def test_the_error_renders_with_a_caret_under_the_users_call(tmp_path):
    lib = library(tmp_path, doubling("x" * 1000))
    search = "index=main `m0` | stats count"
    with pytest.raises(MacroError) as info:
        lib.expand(search)
    rendered = info.value.render().splitlines()
    assert rendered[-2:] == [search, " " * 11 + "^" * 4]


def test_a_large_but_reasonable_expansion_still_works(tmp_path):
    """10 doubling levels of 100 characters: 512 x 100 plus separators, under the cap."""
    stanzas = [f"[m{k}]\ndefinition = `m{k + 1}` `m{k + 1}`\n" for k in range(9)]
    stanzas.append("[m9]\ndefinition = " + "y" * 100 + "\n")
    lib = library(tmp_path, "\n".join(stanzas))
    text = lib.expand("`m0`").text
    assert text.count("y" * 100) == 512 and len(text) == 512 * 100 + 511
