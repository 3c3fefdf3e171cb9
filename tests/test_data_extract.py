"""KV_MODE=json extraction names/values, and eventTime parsing.

Naming per the spath path syntax (https://docs.splunk.com/Documentation/Splunk/8.2.5/SearchReference/Spath:
"a location path is composed of one or more location steps, separated by periods"; arrays as
``{}``) and docs/aws-cloudtrail-fields.md ("Automatic JSON extraction").
"""
import calendar

from spl.data.extract import flatten, parse_event_time, prefixes

RECORD = {
    "eventName": "RunInstances",
    "userIdentity": {"type": "IAMUser", "sessionContext": {"sessionIssuer": {"userName": "r"},
                                                           "webIdFederationData": {}}},
    "readOnly": False,
    "managementEvent": True,
    "n": 7,
    "requestParameters": None,
    "resources": [{"ARN": "arn:1", "type": "T1"}, {"ARN": "arn:2"}],
    "userAgent": ["ua-only"],
    "tags": ["a", "b", "c"],
    "nested": [[1, 2], [3]],
    "empty": [],
}


def test_leaves_named_by_dotted_path():
    f = flatten(RECORD)
    assert f["eventName"] == "RunInstances"
    assert f["userIdentity.type"] == "IAMUser"
    assert f["userIdentity.sessionContext.sessionIssuer.userName"] == "r"


def test_objects_give_only_leaves_and_empty_containers_nothing():
    f = flatten(RECORD)
    assert "userIdentity" not in f
    assert "userIdentity.sessionContext.webIdFederationData" not in f
    assert not any(k.startswith("empty") for k in f)


def test_booleans_and_numbers_are_text():
    f = flatten(RECORD)
    assert (f["readOnly"], f["managementEvent"], f["n"]) == ("false", "true", "7")


def test_json_null_is_the_string_null():
    # Decision (no Splunk doc page states it; see spl/data/extract.py): a JSON null leaf is the
    # field value "null". Evidence: aws-cloudtrail-fields.md defines `desc` from
    # requestParameters "only when that is a scalar" (CloudTrail's requestParameters is an
    # object or null), and ESCU's gsuite_drive_share_in_external_email filters
    # `NOT (email IN("", "null"))` on JSON data.
    assert flatten(RECORD)["requestParameters"] == "null"


def test_arrays_of_objects_are_multivalue_with_braces():
    f = flatten(RECORD)
    assert f["resources{}.ARN"] == ["arn:1", "arn:2"]
    assert f["resources{}.type"] == "T1"  # one value: a scalar, not a list


def test_arrays_of_scalars():
    f = flatten(RECORD)
    assert f["userAgent{}"] == "ua-only"
    assert f["tags{}"] == ["a", "b", "c"]
    assert f["nested{}{}"] == ["1", "2", "3"]


def test_wanted_prefixes_prune_but_give_the_same_values():
    want = ["resources{}.ARN", "userIdentity.sessionContext.sessionIssuer.userName", "nope.x"]
    assert prefixes(["a.b{}.c"]) == {"a", "a.b", "a.b{}", "a.b{}.c"}
    f = flatten(RECORD, prefixes(want))
    assert f == {"resources{}.ARN": ["arn:1", "arn:2"],
                 "userIdentity.sessionContext.sessionIssuer.userName": "r"}


def test_iso_times_with_fraction():
    base = calendar.timegm((2026, 3, 9, 14, 0, 5, 0, 0, 0))
    assert parse_event_time("2026-03-09T14:00:05Z") == base
    assert parse_event_time("2026-03-09T14:00:05.125Z") == base + 0.125
    assert parse_event_time("2026-03-09T16:00:05+02:00") == base


def test_panther_space_separated_times_are_utc():
    # the Panther corpus's non-ISO forms; see the parse_event_time docstring
    base = calendar.timegm((2022, 12, 11, 19, 42, 55, 0, 0, 0))
    assert parse_event_time("2022-12-11 19:42:55") == base
    assert parse_event_time("2022-12-11 19:42:55.000") == base
    assert parse_event_time("2022-12-11 19:42:55.500000000") == base + 0.5
    assert parse_event_time("2022-12-11 19:42:55Z") == base


def test_not_times():
    for v in ("redacted", "...", "", None, 1700000000, "2022-13-01T00:00:00Z",
              "2022-12-11T25:00:00Z"):
        assert parse_event_time(v) is None, v


# limits.conf.spec [spath] extraction_cutoff (default 5000 bytes) "applies both the auto kv
# extraction and the spath command":
# https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/9.4/configuration-file-reference/9.4.0-configuration-file-reference/limits.conf

def test_prefix_keeps_only_values_complete_within_the_cutoff():
    from spl.data.extract import flatten_prefix
    raw = '{"a": "xyz", "b": [1, 22, {"c": true}], "d": null, "e": {"f": "long string"}, "g": 7}'
    assert flatten_prefix(raw, len(raw)) == {"a": "xyz", "b{}": ["1", "22"], "b{}.c": "true",
                                             "d": "null", "e.f": "long string", "g": "7"}
    cut = raw.index("long") + 3          # inside "long string"
    assert flatten_prefix(raw, cut) == {"a": "xyz", "b{}": ["1", "22"], "b{}.c": "true",
                                        "d": "null"}
    cut = raw.index("22") + 1            # "22" cut to "2": not a complete number
    assert flatten_prefix(raw, cut) == {"a": "xyz", "b{}": "1"}
    cut = raw.index("true") + 2          # literal cut
    assert flatten_prefix(raw, cut) == {"a": "xyz", "b{}": ["1", "22"]}


def test_prefix_counts_bytes_and_honours_wanted():
    from spl.data.extract import flatten_prefix
    raw = '{"a": "ééé", "b": "x"}'        # é is 2 bytes in UTF-8
    assert flatten_prefix(raw, len(raw)) == {"a": "ééé"}   # 3 more bytes than characters
    assert flatten_prefix(raw, len(raw.encode())) == {"a": "ééé", "b": "x"}
    assert flatten_prefix(raw, 100, prefixes(["b"])) == {"b": "x"}


def test_long_records_lose_fields_past_the_cutoff(tmp_path):
    import json

    from spl.data import load
    head = {"eventTime": "2024-05-01T10:00:00Z", "eventName": "Big", "pad": "p" * 6000,
            "recipientAccountId": "123"}
    p = tmp_path / "big.json"
    p.write_text(json.dumps(head) + "\n")
    t = load([p], host="h").table
    assert t["eventName"][0] == "Big" and "recipientAccountId" not in t.columns
    assert "pad" not in t.columns
    assert t["_time"][0] == 1714557600.0   # _time comes from the whole record
    # a definition can raise the limit in its limits.conf, as a Splunk admin can
    ta = tmp_path / "ta"
    (ta / "default").mkdir(parents=True)
    (ta / "default" / "props.conf").write_text("[aws:cloudtrail]\nKV_MODE = json\n")
    (ta / "local").mkdir()
    (ta / "local" / "limits.conf").write_text("[spath]\nextraction_cutoff = 10000\n")
    t = load([p], host="h", ta=ta).table
    assert t["recipientAccountId"][0] == "123"
