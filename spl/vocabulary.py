"""The names Splunk's SPL knows, to tell "spl does not run this yet" from "SPL has no such thing",
and to suggest the name a typo meant ("did you mean 'stats'?").

The lists are facts from the Search Reference (Splunk Enterprise 9.4): the command list
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/quick-reference/command-quick-reference),
the evaluation functions list
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/evaluation-functions/evaluation-functions-overview)
and the statistical and charting functions list
(https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/statistical-and-charting-functions/statistical-and-charting-functions-overview).
Commands of Splunk apps (the Machine Learning Toolkit's ``fit``/``apply``...) are known too: a
detection may use them, and "SPL has no such command" would be untrue.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

COMMANDS = frozenset("""
abstract accum addcoltotals addinfo addtotals analyzefields anomalies anomalousvalue
anomalydetection append appendcols appendpipe arules associate audit autoregress bin bucket
bucketdir chart cluster cofilter collect concurrency contingency convert correlate ctable
datamodel datamodelsimple dbinspect dedup delete delta diff erex eval eventcount eventstats
extract fieldformat fields fieldsummary filldown fillnull findtypes folderize foreach format
from fromjson gauge gentimes geom geomfilter geostats head highlight history iconify inputcsv
inputintelligence inputlookup iplocation join kmeans kv kvform loadjob localize localop lookup
makecontinuous makemv makeresults map mcollect metadata metasearch meventcollect mpreview
msearch mstats multikv multisearch mvcombine mvexpand nomv outlier outputcsv outputlookup
outputtext overlap pivot predict rangemap rare redistribute regex reltime rename replace require
rest return reverse rex rtorder savedsearch script run scrub search searchtxn selfjoin sendalert
sendemail set setfields sichart sirare sistats sitimechart sitop sort spath stats strcat
streamstats table tags tail timechart timewrap tojson top transaction transpose trendline
tscollect tstats typeahead typelearner typer union uniq untable walklex where x11 xmlkv
xmlunescape xpath xyseries
fit apply summary score
""".split())

EVAL_FUNCTIONS = frozenset("""
abs acos acosh asin asinh atan atan2 atanh avg bit_and bit_not bit_or bit_shift_left
bit_shift_right bit_xor case ceil ceiling cidrmatch coalesce commands cos cosh exact exp false
floor hypot if in ipmask isarray isbool isdouble isint ismv isnotnull isnull isnum isobject isstr
json json_append json_array json_array_to_mv json_delete json_entries json_extend json_extract
json_extract_exact json_has_key_exact json_keys json_object json_set json_set_exact json_valid
len like ln log lookup lower ltrim match max md5 min mv_to_json_array mvappend mvcount mvdedup
mvfilter mvfind mvindex mvjoin mvmap mvrange mvreverse mvsort mvzip now null nullif pi pow
printf random relative_time replace round rtrim searchmatch sha1 sha256 sha512 sigfig sin sinh
spath split sqrt strftime strptime substr sum tan tanh time tonumber tostring trim true typeof
upper urldecode validate
toarray tobool todouble toint tomv toobject
""".split())  # the last line: conversion functions of the SPL2 reference, named by issue 14

STATS_FUNCTIONS = frozenset("""
avg count dc distinct_count estdc estdc_error exactperc max mean median min mode perc range
stdev stdevp sum sumsq upperperc var varp first last list values earliest earliest_time latest
latest_time rate rate_avg rate_sum per_day per_hour per_minute per_second sparkline
""".split())


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


_KNOWN = {"command": COMMANDS, "eval function": EVAL_FUNCTIONS, "stats function": STATS_FUNCTIONS}


def refusal(kind: str, name: str, implemented: Iterable[str]) -> tuple[str, bool]:
    """The message for a ``kind`` ("command", "eval function", "stats function") spl cannot run,
    and whether SPL itself knows the name (True: spl lacks it; False: a typo or an invention)."""
    known = _KNOWN[kind]
    if name.lower() in known:
        return f"{kind} '{name}' is not supported by spl yet (it is an SPL {kind})", True
    return (f"unknown {kind} '{name}': SPL has no such {kind}"
            f"{did_you_mean(name, set(implemented) | known)}"), False


def refuse(kind: str, name: str, implemented: Iterable[str], span):
    """The error to raise for a ``kind`` spl cannot run. Both kinds are an UnsupportedError (every
    caller treats "spl cannot run this search" alike: spl test, check, hunt); the message tells
    an SPL name spl lacks from a name SPL does not have."""
    from spl.errors import UnsupportedError

    return UnsupportedError(refusal(kind, name, implemented)[0], span=span)
