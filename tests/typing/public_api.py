"""What a user's type checker sees of spl's public API (checked by .ci/lint with mypy
--disallow-any-expr: no expression here may be Any, so no Any leaks out of the API)."""
import pandas as pd

import spl
from spl.frontend import ParsedSearch

frame: pd.DataFrame = spl.run("`cloudtrail` | stats count by user_name", data="logs/", tz="UTC")
session: spl.Session = spl.Session("logs/", macros=["macros/"], tz="UTC")
again: pd.DataFrame = session.run("`cloudtrail` | stats dc(eventName) by src", now=0.0)
events: pd.DataFrame = session.events
parsed: ParsedSearch = spl.parse("`cloudtrail` | head 1")
reparsed: ParsedSearch = session.parse("`cloudtrail` | head 1")
loaded = session.load(["more/"])
error: type[spl.SplError] = spl.SplSyntaxError
