"""appendpipe: add the results of a subpipeline run over the current results.

Splunk (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/appendpipe):
``appendpipe [run_in_preview=<bool>] [<subpipeline>]``: "Appends the result of the subpipeline to
the search results. Unlike a subsearch, the subpipeline is not run first. The subpipeline is run
when the search reaches the appendpipe command." The subpipeline sees the current results (not
the events), whether or not it is written with a leading ``|``; its results follow them, a field
only one side has being null on the other (as ``append``). ``run_in_preview`` only matters for
a search's preview, which spl does not have; it is checked to be a boolean.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from spl.commands import command
from spl.commands._args import check_known, flag
from spl.commands._fieldlist import subsearch
from spl.commands.append import concat
from spl.context import Context
from spl.syntax import ast


def reads(node) -> None:
    """The subpipeline may read any field of the results."""
    return None


@command("appendpipe", reads=reads,
          doc='Appends the results of a subpipeline run over the current results.',
          syntax='appendpipe [run_in_preview=bool] [ subpipeline ]')
def run(node: ast.Generic, table: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    from spl.engine import execute  # the engine runs the commands: imported when one runs

    check_known(node, {"run_in_preview"})
    flag(node, "run_in_preview", True)
    pipeline = dataclasses.replace(subsearch(node).pipeline, generating=False)
    return concat(table, execute(pipeline, table, ctx))
