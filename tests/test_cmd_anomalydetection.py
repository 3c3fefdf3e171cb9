"""anomalydetection, method=histogram. Expected values are worked out by hand from the page's
formulas (event probability = product of value frequencies; frequency = count / events; a numeric
value's frequency = its histogram bin's count / events; threshold = 1st quartile - 1.5 * IQR of
the log probabilities when cutoff=false):
https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/9.4/search-commands/anomalydetection
Tests marked "spl's reading" pin what the page leaves open (spl/commands/anomalydetection.py).
"""
from __future__ import annotations

import math

import pytest

from spl.errors import SearchError, UnsupportedError
from spltest import column, run

LN = math.log


def _close(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (g is None and w is None) or g == pytest.approx(w), (got, want)


def test_categorical_frequency_is_count_over_events_and_pthresh_is_a_probability():
    # user a: 3/4, b: 1/4; with pthresh=0.5 only b (probability 0.25) is anomalous
    rows = [{"user": u, "n": i} for i, u in enumerate("aaba")]
    out = run("| anomalydetection pthresh=0.5 user", rows)
    assert column(out, "n") == [2]
    _close(column(out, "log_event_prob"), [LN(0.25)])
    assert column(out, "probable_cause") == ["user"]
    _close(column(out, "probable_cause_freq"), [0.25])
    _close(column(out, "max_freq"), [0.25])


def test_event_probability_is_the_product_over_fields_and_the_rarest_value_is_the_cause():
    # user a 3/4, b 1/4; src x 3/4, y 1/4
    rows = [{"user": "a", "src": "x"}, {"user": "a", "src": "x"},
            {"user": "a", "src": "y"}, {"user": "b", "src": "x"}]
    out = run("| anomalydetection pthresh=0.2 action=filter user src", rows)
    assert column(out, "user") == ["a", "b"] and column(out, "src") == ["y", "x"]
    _close(column(out, "log_event_prob"), [LN(0.75 * 0.25)] * 2)
    assert column(out, "probable_cause") == ["src", "user"]
    _close(column(out, "probable_cause_freq"), [0.25, 0.25])
    _close(column(out, "max_freq"), [0.75, 0.75])


def test_annotate_keeps_every_event_in_order_cause_only_on_anomalies():
    # spl's reading: log_event_prob and max_freq on every event, probable_cause(_freq) only on
    # the anomalous ones (ESCU keeps anomalies with `search probable_cause=*` after annotate)
    rows = [{"user": u} for u in "aaba"]
    out = run("| anomalydetection action=annotate pthresh=0.5 user", rows)
    assert list(out.columns) == ["user", "log_event_prob", "probable_cause",
                                 "probable_cause_freq", "max_freq"]
    assert column(out, "user") == list("aaba")
    _close(column(out, "log_event_prob"), [LN(0.75), LN(0.75), LN(0.25), LN(0.75)])
    assert column(out, "probable_cause") == [None, None, "user", None]
    _close(column(out, "probable_cause_freq"), [None, None, 0.25, None])
    _close(column(out, "max_freq"), [0.75, 0.75, 0.25, 0.75])


def test_on_a_tie_the_cause_is_the_first_field_of_the_list():
    # spl's reading: every value has frequency 1/2, so the first listed field is the cause
    rows = [{"user": "a", "src": "x"}, {"user": "b", "src": "y"}]
    assert column(run("| anomalydetection pthresh=1 user src", rows), "probable_cause") == \
        ["user", "user"]
    assert column(run("| anomalydetection pthresh=1 src user", rows), "probable_cause") == \
        ["src", "src"]


def test_numeric_values_share_the_frequency_of_their_histogram_bin():
    # spl's reading: 10 equal bins from min 0 to max 10 (width 1), [lo, hi), the max in the last:
    # 0 and 0.99 share bin 0 (2/4), 1 is bin 1 (1/4), 10 bin 9 (1/4). As categories each is 1/4.
    rows = [{"bytes": b} for b in (0, "0.99", 1, 10)]
    out = run("| anomalydetection action=annotate pthresh=0.3 bytes", rows)
    _close(column(out, "log_event_prob"), [LN(0.5), LN(0.5), LN(0.25), LN(0.25)])
    assert column(out, "probable_cause") == [None, None, "bytes", "bytes"]


def test_a_field_with_a_non_numeric_value_is_categorical():
    rows = [{"v": x} for x in (0, "0.5", "zz", 0)]  # 0 twice: 2/4; the others 1/4 each
    out = run("| anomalydetection action=annotate pthresh=1 v", rows)
    _close(column(out, "log_event_prob"), [LN(0.5), LN(0.25), LN(0.25), LN(0.5)])


def test_computed_threshold_cutoff_false_is_q1_minus_1_5_iqr_of_log_probabilities():
    # 13 events: d x1, c x2, b x4, a x6. Sorted log probs: ln(1/13), ln(2/13) x2, ln(4/13) x4,
    # ln(6/13) x6; Q1 (rank 3) = ln(4/13), Q3 (rank 9) = ln(6/13), IQR = ln 1.5.
    # Threshold ln(4/13) - 1.5 ln 1.5 = ln 0.1675 > ln(2/13) = ln 0.1538: c, c and d are anomalous.
    rows = [{"user": u} for u in "abacabdbabaca"]
    out = run("| anomalydetection cutoff=false user", rows)
    assert column(out, "user") == ["c", "d", "c"]
    summary = run("| anomalydetection cutoff=false action=summary user", rows)
    assert list(summary.columns) == ["num_anomalies", "thresh", "max_logprob", "min_logprob",
                                     "1st_quartile", "3rd_quartile"]
    assert column(summary, "num_anomalies") == [3]
    _close(column(summary, "thresh"), [4 / 13 * 1.5 ** -1.5])
    _close(column(summary, "max_logprob"), [LN(6 / 13)])
    _close(column(summary, "min_logprob"), [LN(1 / 13)])
    _close(column(summary, "1st_quartile"), [LN(4 / 13)])
    _close(column(summary, "3rd_quartile"), [LN(6 / 13)])


def test_cutoff_true_default_uses_the_far_out_fence_q1_minus_3_iqr():
    # spl's reading of "modifies the formula to come up with a smaller number of anomalies":
    # ln(4/13) - 3 ln 1.5 = ln 0.0912; only d (1/13 = 0.0769) is below it, c (2/13) is not.
    rows = [{"user": u} for u in "abacabdbabaca"]
    assert column(run("| anomalydetection user", rows), "user") == ["d"]
    summary = run("| anomalydetection action=summary cutoff=true user", rows)
    assert column(summary, "num_anomalies") == [1]
    _close(column(summary, "thresh"), [4 / 13 * 1.5 ** -3])


def test_an_event_exactly_at_the_threshold_is_not_anomalous():
    # a x4, b x1: Q1 = Q3 = ln(4/5), IQR 0, threshold ln(4/5): a is at it (not below), b below
    rows = [{"user": u} for u in "aabaa"]
    assert column(run("| anomalydetection cutoff=false user", rows), "user") == ["b"]


def test_quoted_field_names_and_the_escu_pattern():
    # the ESCU detection's tail: count is one value (one bin, frequency 1), so user decides
    rows = [{"user": u, "count": 5} for u in "abacabdbabaca"]
    out = run('| anomalydetection "count" "user" action=annotate | search probable_cause=*', rows)
    assert column(out, "user") == ["d"]
    assert column(out, "probable_cause") == ["user"]
    _close(column(out, "max_freq"), [1.0])
    _close(column(out, "log_event_prob"), [LN(1 / 13)])


def test_without_a_field_list_fields_starting_with_underscore_are_not_used():
    # spl's reading. With _time counted (4 values, 4 bins of 1/4) every event would be below 0.5.
    rows = [{"_time": float(t), "user": u} for t, u in enumerate("aaba")]
    assert column(run("| anomalydetection pthresh=0.5", rows), "user") == ["b"]


def test_a_null_value_adds_nothing_to_its_event():
    # spl's reading: a 2/4, b 1/4 (frequencies over all 4 events); the null event has
    # probability 1 (log 0) and no max_freq
    rows = [{"user": "a"}, {"user": "a"}, {"user": None}, {"user": "b"}]
    out = run("| anomalydetection action=annotate pthresh=0.3 user", rows)
    _close(column(out, "log_event_prob"), [LN(0.5), LN(0.5), 0.0, LN(0.25)])
    _close(column(out, "max_freq"), [0.5, 0.5, None, 0.25])
    assert column(out, "probable_cause") == [None, None, None, "user"]


def test_summary_of_no_events_counts_none():
    out = run("| anomalydetection action=summary user", [])
    assert column(out, "num_anomalies") == [0]
    assert list(out.columns) == ["num_anomalies"]  # the other fields are null: no such field


@pytest.mark.parametrize("search, error, named", [
    ("| anomalydetection method=zscore minsupcount=5", UnsupportedError, "method=zscore"),
    ("| anomalydetection method=iqr action=tf param=4", UnsupportedError, "method=iqr"),
    ("| anomalydetection method=kmeans", SearchError, "method=kmeans"),
    ("| anomalydetection action=remove", SearchError, "action=remove"),
    ("| anomalydetection pthresh=abc", SearchError, "pthresh=abc"),
    ("| anomalydetection pthresh=2", SearchError, "pthresh=2"),
    ("| anomalydetection cutoff=maybe", SearchError, "cutoff=maybe"),
    ("| anomalydetection bins=5", SearchError, "bins"),
])
def test_bad_options_are_errors_naming_them(search, error, named):
    with pytest.raises(error) as err:
        run(search, [{"user": "a"}])
    assert named in err.value.message
    assert err.value.span is not None
