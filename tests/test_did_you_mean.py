"""A misspelled command or function gets "did you mean", and "not supported yet" (an SPL name spl
lacks) stays distinct from "SPL has no such ..." (spl/vocabulary.py, whose lists come from the
Search Reference's command and function lists)."""
from __future__ import annotations

import pytest

from spl.check import check_search
from spl.errors import UnsupportedError
from spl.macros import MacroLibrary
from spl.session import Session


@pytest.fixture(scope="module")
def session():
    return Session()


@pytest.mark.parametrize("search, meant", [
    ("| makeresults | stast count", "stats"),
    ('| makeresults | eval n=lenght("abc")', "len"),
    ("| makeresults | stats cuont", "count"),
    ("| makeresults | tabel _time", "table"),
])
def test_typo_is_unknown_with_a_suggestion(session, search, meant):
    with pytest.raises(UnsupportedError) as err:
        session.run(search)
    assert "SPL has no such" in err.value.message
    assert err.value.message.endswith(f"did you mean '{meant}'?")


def test_a_name_far_from_any_gets_no_suggestion(session):
    with pytest.raises(UnsupportedError) as err:
        session.run("| makeresults | zzqqxx")
    assert "SPL has no such command" in err.value.message and "did you mean" not in err.value.message


def test_an_spl_command_spl_lacks_is_not_supported_yet(session):
    # timewrap is in the Search Reference's command list; spl does not run it
    with pytest.raises(UnsupportedError) as err:
        session.run("| makeresults | timewrap 1d")
    assert "not supported by spl yet" in err.value.message
    assert "no such" not in err.value.message


def test_check_reports_both_kinds():
    library = MacroLibrary([])
    status, message = check_search("| makeresults | stast count", library)
    assert status == "unsupported" and "did you mean 'stats'" in message
    status, message = check_search("| makeresults | timewrap 1d", library)
    assert "not supported by spl yet" in message
