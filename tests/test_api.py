"""The package root: ``spl.run``, ``spl.Session`` and ``spl.parse`` (the README's Python API) are
the session module's, loaded on first use."""
import pytest

import spl
from spl import session


def test_root_names_are_the_session_modules():
    assert spl.run is session.run
    assert spl.Session is session.Session
    assert spl.parse is session.parse


def test_root_refuses_a_name_it_lacks():
    with pytest.raises(AttributeError, match="module 'spl' has no attribute 'nope'"):
        spl.nope  # noqa: B018
