"""Macro loading (security_content YAML, macros.conf) and expansion with the map back to the
user's text.

Rules from https://help.splunk.com/en/splunk-enterprise/manage-knowledge-objects/knowledge-management-manual/10.0/search-macros
and the macros.conf spec
(https://help.splunk.com/en/data-management/splunk-enterprise-admin-manual/10.0/10.0.0-configuration-file-reference/macros.conf):
backtick calls, arity overloading, `$arg$` replaced everywhere (even inside quotes), nesting,
no expansion inside quoted strings.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from spl.errors import ConfigError, MacroError, Span, SplSyntaxError
from spl.macros import MAX_DEPTH, MacroLibrary, bundled_dir, strip_comments


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def lib(tmp_path: Path) -> MacroLibrary:
    write(tmp_path / "m" / "plain.yml", "name: plain\ndefinition: index=main\n")
    write(tmp_path / "m" / "one.yml",
          "name: pick\narguments:\n  - f\ndefinition: 'eval x=\"$f$\" | fields $f$'\n")
    write(tmp_path / "m" / "macros.conf", """# comment
[pick(2)]
args = a, b
definition = eval $a$=$b$

[nest]
definition = `plain` `pick(y)`

[multi]
definition = search a \\
| stats count

[loop]
definition = x `loop`
""")
    return MacroLibrary.load([tmp_path / "m"], bundled=False)


def test_yaml_macro_without_args(lib):
    assert lib.expand("`plain` a").text == "index=main a"


def test_argument_substituted_everywhere_even_in_quotes(lib):
    assert lib.expand("`pick(src)`").text == 'eval x="src" | fields src'


def test_arity_overloading(lib):
    assert lib.expand("`pick(src, 1)`").text == "eval src=1"


def test_named_arguments(lib):
    assert lib.expand("`pick(b=2, a=z)`").text == "eval z=2"


def test_nested_macros(lib):
    assert lib.expand("`nest`").text == 'index=main eval x="y" | fields y'


def test_conf_continuation_lines(lib):
    assert lib.expand("`multi`").text == "search a \n| stats count"


def test_recursion_bound(lib):
    with pytest.raises(MacroError) as info:
        lib.expand("a | `loop`")
    assert f"more than {MAX_DEPTH} levels" in info.value.message
    assert info.value.span == Span(4, 10)


def test_undefined_filter_macro_is_search_star(lib):
    assert lib.expand("a | `my_detection_filter`").text == "a | search *"


def test_undefined_macro_names_macro_and_dirs(lib, tmp_path):
    with pytest.raises(MacroError) as info:
        lib.expand("a | `nope(1)`")
    msg = info.value.message
    assert "`nope`" in msg and str(tmp_path / "m") in msg
    assert info.value.span == Span(4, 13)
    assert info.value.position == (1, 5)


def test_wrong_arity_is_reported(lib):
    with pytest.raises(MacroError) as info:
        lib.expand("`plain(1)`")
    assert "defined with 0" in info.value.message


def test_macros_in_quoted_strings_not_expanded(lib):
    assert lib.expand('a="`plain`" `plain`').text == 'a="`plain`" index=main'


def test_unbalanced_backtick(lib):
    with pytest.raises(MacroError) as info:
        lib.expand("a `plain")
    assert info.value.span == Span(2, 3)


def test_comments_stripped_keeping_offsets():
    # https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/using-the-search-app/add-comments-to-searches
    text = "a ```x\ny``` | b"
    assert strip_comments(text) == "a     \n     | b"
    assert strip_comments('a="```" b') == 'a="```" b'


def test_unclosed_comment():
    with pytest.raises(SplSyntaxError):
        strip_comments("a ``` b")


def test_comment_with_backticks_inside_is_not_a_macro(lib):
    assert lib.expand("a ```see `plain` ``` b").text == "a                    b"


def test_later_directories_override(tmp_path):
    write(tmp_path / "one" / "m.yml", "name: m\ndefinition: first\n")
    write(tmp_path / "two" / "m.yml", "name: m\ndefinition: second\n")
    lib = MacroLibrary.load([tmp_path / "one", tmp_path / "two"], bundled=False)
    assert lib.expand("`m`").text == "second"


def test_user_overrides_bundled(tmp_path):
    write(tmp_path / "cloudtrail.yml", "name: cloudtrail\ndefinition: index=aws\n")
    assert MacroLibrary.load([tmp_path]).expand("`cloudtrail`").text == "index=aws"


def test_bundled_macros():
    lib = MacroLibrary.load()
    assert lib.expand("`cloudtrail`").text == "sourcetype=aws:cloudtrail"
    assert lib.expand("`security_content_ctime(firstTime)`").text == \
        'convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)'
    assert lib.expand('`drop_dm_object_name("All_Changes")`').text == 'rename "All_Changes".* AS *'
    assert lib.get("drop_dm_object_name", 1).args == ("object",)
    assert (bundled_dir() / "cloudtrail.yml").is_file()


def test_offset_map_back_to_user_text(lib):
    text = "`plain` b | `pick(q)` c"
    exp = lib.expand(text)
    # verbatim text maps offset for offset
    b = exp.text.index(" b ") + 1
    assert exp.to_original(Span(b, b + 1)) == Span(8, 9)
    c = exp.text.rindex("c")
    assert exp.to_original(Span(c, c + 1)) == Span(22, 23)
    # text inside an expansion maps to the whole call
    assert exp.to_original(Span(2, 4)) == Span(0, 7)
    fields = exp.text.index("fields")
    assert exp.to_original(Span(fields, fields + 6)) == Span(12, 21)
    # a span across an expansion covers the call and the verbatim part
    assert exp.to_original(Span(0, b + 1)) == Span(0, 9)


def test_bad_yaml_is_config_error(tmp_path):
    write(tmp_path / "bad.yml", "name: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        MacroLibrary.load([tmp_path], bundled=False)
    assert info.value.file == str(tmp_path / "bad.yml")


def test_conf_args_count_must_match(tmp_path):
    write(tmp_path / "macros.conf", "[m(2)]\nargs = a\ndefinition = $a$\n")
    with pytest.raises(ConfigError) as info:
        MacroLibrary.load([tmp_path], bundled=False)
    assert info.value.line == 1


def test_missing_directory(tmp_path):
    with pytest.raises(ConfigError):
        MacroLibrary.load([tmp_path / "absent"])
