"""spath: location paths, ``{}``/``{n}``, input/output defaults, auto-extract.

Splunk: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/spath
(input defaults to _raw; output defaults to the path; steps separated by periods; ``{}`` and
``{n}`` array steps) and the SPL2 examples page for the JSON index base
(https://help.splunk.com/en/splunk-cloud-platform/search/spl2-search-reference/spath-command/spath-command-examples:
``cooperative{1}`` of ["Pandemic", "Forbidden Island", "Castle Panic"] is "Forbidden Island").
Expected values are worked out by hand from the JSON in each test.
"""
import pytest

from spl.data.extract import flatten
from spl.errors import SplError
from spltest import column, run

POLICY = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", '
          '"Action": "kms:Encrypt", "Principal": {"AWS": "*"}},\n    {"Effect": "Deny", '
          '"Action": ["s3:Get*", "s3:Put*"], "Principal": {"AWS": "arn:aws:iam::1:root"}}\n  ]\n}')


def test_input_defaults_to_raw_and_output_to_the_path():
    r = run("| spath path=userIdentity.arn", [{"_raw": '{"userIdentity": {"arn": "arn:a"}}'}])
    assert column(r, "userIdentity.arn") == ["arn:a"]


def test_first_unlabeled_argument_is_the_path():
    r = run("| spath output=user userIdentity.arn", [{"_raw": '{"userIdentity": {"arn": "x"}}'}])
    assert column(r, "user") == ["x"]


def test_curly_braces_give_every_element_as_a_multivalue_field():
    raw = '{"commits": [{"author": {"name": "A"}}, {"author": {"name": "B"}}]}'
    r = run('| spath output=commit_author path="commits{}.author.name"', [{"_raw": raw}])
    assert column(r, "commit_author") == [["A", "B"]]


def test_index_counts_from_zero_in_json():
    raw = '{"cooperative": ["Pandemic", "Forbidden Island", "Castle Panic"]}'
    r = run("| spath output=g path=cooperative{1}", [{"_raw": raw}])
    assert column(r, "g") == ["Forbidden Island"]


def test_index_past_the_end_gives_nothing():
    r = run("| spath output=g path=a{5}", [{"_raw": '{"a": [1, 2]}'}])
    assert "g" not in r.columns


def test_objects_and_arrays_come_out_as_their_json_text():
    r = run("| spath input=p output=s path=Statement{}", [{"p": POLICY}])
    assert column(r, "s") == [[
        '{"Effect": "Allow", "Action": "kms:Encrypt", "Principal": {"AWS": "*"}}',
        '{"Effect": "Deny", "Action": ["s3:Get*", "s3:Put*"], '
        '"Principal": {"AWS": "arn:aws:iam::1:root"}}']]


def test_escu_policy_pattern_spath_mvexpand_spath():
    """aws_detect_users_creating_keys_with_encrypt_policy_without_mfa's steps, by hand."""
    r = run("| spath input=p output=s path=Statement{} | mvexpand s"
            " | spath input=s output=a1 path=Action | spath input=s output=a2 path=Action{}"
            " | spath input=s output=principal path=Principal.AWS", [{"p": POLICY}])
    assert column(r, "a1") == ["kms:Encrypt", '["s3:Get*", "s3:Put*"]']
    assert column(r, "a2") == [None, ["s3:Get*", "s3:Put*"]]
    assert column(r, "principal") == ["*", "arn:aws:iam::1:root"]


def test_leaves_as_splunk_shows_them():
    raw = '{"n": 1.50, "t": true, "f": false, "z": null, "s": "a\\"b"}'
    r = run("| spath path=n | spath path=t | spath path=f | spath path=z | spath path=s",
            [{"_raw": raw}])
    assert [column(r, c)[0] for c in ("n", "t", "f", "z", "s")] == ["1.50", "true", "false", "null", 'a"b']


def test_a_name_step_does_not_enter_an_array_without_braces():
    r = run("| spath output=x path=a.b", [{"_raw": '{"a": [{"b": 1}]}'}])
    assert "x" not in r.columns


def test_no_match_leaves_the_output_field_as_it_was():
    r = run("| spath output=user path=userIdentity.arn",
            [{"_raw": '{"userIdentity": {}}', "user": "kept"}, {"_raw": '{"userIdentity": {"arn": "new"}}', "user": "old"}])
    assert column(r, "user") == ["kept", "new"]


def test_missing_or_malformed_input_gives_nothing_and_keeps_rows():
    r = run("| spath input=j output=x path=a", [{"j": "not json"}, {"k": 1}, {"j": '{"a": "ok"}'}])
    assert column(r, "x") == [None, None, "ok"]


def test_no_path_extracts_every_field_with_auto_kv_names():
    raw = '{"a": {"b": [1, 2]}, "c": [{"d": "x"}, {"d": "y"}], "e": {}, "n": 2.0}'
    r = run("| spath input=j", [{"j": raw}])
    assert column(r, "a.b{}") == [["1", "2"]]
    assert column(r, "c{}.d") == [["x", "y"]]
    assert column(r, "n") == ["2.0"]
    assert "e" not in r.columns


def test_auto_extract_names_match_the_event_extraction():
    record = {"userIdentity": {"type": "IAMUser", "arn": "arn:x"}, "resources": [{"ARN": "r1"}, {"ARN": "r2"}],
              "readOnly": False, "requestParameters": None}
    import json
    r = run("| spath", [{"_raw": json.dumps(record)}])
    for name, value in flatten(record).items():
        assert column(r, name) == [value]


def test_auto_extract_reads_only_the_first_5000_bytes():
    """limits.conf [spath] extraction_cutoff (default 5000) applies to spath too (spl-semantics.md s.7)."""
    raw = '{"early": "e", "pad": "' + "x" * 6000 + '", "late": "l"}'
    r = run("| spath", [{"_raw": raw}])
    assert column(r, "early") == ["e"]
    assert "late" not in r.columns and "pad" not in r.columns


def test_path_mode_reads_past_the_cutoff():
    raw = '{"pad": "' + "x" * 6000 + '", "late": "l"}'
    assert column(run("| spath path=late", [{"_raw": raw}]), "late") == ["l"]


def test_row_order_is_kept():
    rows = [{"_raw": f'{{"i": {i}}}'} for i in (3, 1, 2)]
    assert column(run("| spath path=i", rows), "i") == ["3", "1", "2"]


def test_output_without_path_is_an_error():
    with pytest.raises(SplError, match="needs a path"):
        run("| spath input=j output=x", [{"j": "{}"}])


def test_numbers_keep_their_written_form_even_past_64_bits():
    raw = '{"big": 123456789012345678901234567890, "e": 1e3, "neg": -7}'
    r = run("| spath path=big | spath path=e | spath path=neg", [{"_raw": raw}])
    assert [column(r, c)[0] for c in ("big", "e", "neg")] == [
        "123456789012345678901234567890", "1e3", "-7"]


@pytest.mark.parametrize("depth", [300, 900])  # past spl's 200 levels; 900: past json's stack
def test_a_value_nested_too_deep_is_passed_over_and_the_search_goes_on(depth):
    # {"top": "t", "deep": {"a": {"a": ... {"x": 1}}}} with `depth` levels of "a"
    deep = '{"x": 1}'
    for _ in range(depth):
        deep = '{"a": ' + deep + "}"
    raw = '{"top": "t", "deep": ' + deep + "}"
    r = run("| spath", [{"_raw": raw}, {"_raw": '{"top": "u"}'}])
    assert column(r, "top") == ["t", "u"]
    assert not any(c.endswith(".x") for c in r.columns)  # below the limit: not extracted


def test_braces_on_an_object_are_the_object_itself():
    # ESCU's "AWS Defense Evasion PutBucketLifecycle" reads these paths from a CloudTrail
    # record whose requestParameters (and every level below) is an object (spath's docstring)
    raw = ('{"requestParameters": {"bucketName": "trail-bucket", "LifecycleConfiguration": '
           '{"Rule": {"Expiration": {"Days": 1}, "ID": "nuke"}}}}')
    r = run("| spath path=requestParameters{}.bucketName output=bucket_name "
            "| spath path=requestParameters{}.LifecycleConfiguration{}.Rule{}.Expiration{}.Days "
            "output=expiration_days", [{"_raw": raw}])
    assert column(r, "bucket_name") == ["trail-bucket"]
    assert column(r, "expiration_days") == ["1"]
    # an array's {} is still every element; {n} and {} on a string reach nothing
    r = run("| spath path=a{}.b output=x | spath path=c{0}.d output=y | spath path=c{}.d{} output=z",
            [{"_raw": '{"a": [{"b": 1}, {"b": 2}], "c": {"d": "s"}}'}])
    assert column(r, "x") == [["1", "2"]]
    assert "y" not in r.columns and "z" not in r.columns
