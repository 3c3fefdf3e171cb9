"""The hunt's HTML report (spl/hunt/report.py) over a hand-written hunt document.

tests/fixtures/hunt_report/hunt.json follows notes/HUNT_JSON.md: two risk objects (user bob with
two findings of score 50, and a user whose name is markup, one finding of score 72), one
multiple_tactics incident on bob, and hostile values (markup, a javascript: URL, an OSC 52
clipboard sequence, a bidi override, a MITRE "id" that is a javascript: URL). Every expected
value below is worked out by hand from that file. The page is read back with html.parser, which
unescapes text as a browser does: a value found whole in a cell's text was escaped, not parsed.
The real browser's view is tests/test_hunt_report_browser.py.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("jinja2", reason="the report extra: pip install 'spl-cloudtrail[report]'")
pytest.importorskip("matplotlib", reason="the report extra: pip install 'spl-cloudtrail[report]'")

from spl.errors import UsageError
from spl.hunt import report

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "hunt_report" / "hunt.json"
EVE = "eve<script>alert(1)</script>"
# Attributes that make a browser fetch something when the page opens (<a href> only on a click).
FETCHING = {"src", "href", "xlink:href", "srcset", "poster", "data", "action", "formaction",
            "background", "ping", "manifest"}


class Page(HTMLParser):
    """What the tests read from a report: tables by id (rows of cell texts), every tag with
    its attributes, the text of each element with an id, and the text inside <style>."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.text_by_id: dict[str, str] = {}
        self.styles: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str, list[str]]] = []
        self._tag_stack: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        if a.get("id"):
            self._open_ids.append((tag, a["id"], []))
        self._tag_stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            _, ident, parts = self._open_ids.pop()
            self.text_by_id[ident] = "".join(parts)
        if self._tag_stack and self._tag_stack[-1] == tag:
            self._tag_stack.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, _, parts in self._open_ids:
            parts.append(data)
        if self._tag_stack and self._tag_stack[-1] == "style":
            self.styles.append(data)

    def attrs_of(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def load() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[str, Page]:
    path = tmp_path_factory.mktemp("report") / "hunt.html"
    report.write_report(path, load())
    html = path.read_text(encoding="utf-8")
    return html, Page(html)


def test_summary_by_risk_object(written):
    # bob: 50 + 50 from two detections (tactics discovery, persistence), the multiple_tactics
    # incident (score 100), findings #1 and #2; the other user: 72, credential-access, #3.
    _, page = written
    assert page.tables["objects"] == [
        ["type", "risk object", "total score", "risk events", "tactics",
         "detections that fired", "incidents", "findings"],
        ["user", "bob", "100", "2", "discovery\npersistence",
         "AWS Excessive Security Scanning - Rule\n"
         "AWS Create Policy Version to allow all resources - Rule",
         "multiple_tactics (100)", "#1 #2"],
        ["user", EVE, "72", "1", "credential-access",
         "AWS Console Login Failed During MFA Challenge - Rule", "", "#3"],
    ]
    links = [a["href"] for a in page.attrs_of("a") if a["href"].startswith("#")]
    assert links == ["#finding-0", "#finding-1", "#finding-2"]


def test_incidents_and_counts(written):
    _, page = written
    assert page.tables["incidents"][1] == [
        "multiple_tactics", "user", "bob", "100", "discovery\npersistence",
        "AWS Create Policy Version to allow all resources - Rule\n"
        "AWS Excessive Security Scanning - Rule",
        "2", "2025-12-06 05:46:40 UTC", "2025-12-06 06:46:40 UTC"]
    counts = " ".join(page.text_by_id["counts"].split())
    assert counts.startswith("7 detections: fired 3 quiet 1 not_applicable 1 unsupported 1 "
                             "error 1 — findings 3, risk events 3, incidents 1.")


def test_each_finding(written):
    _, page = written
    first = page.text_by_id["finding-0"]
    assert "#1 AWS Excessive Security Scanning" in first
    assert "2025-12-06 05:46:40 UTC" in first  # 1765000000 = 20428 days + 5 h 46 min 40 s
    assert "user bob has excessive number of api calls 57 from these services" in first
    assert '%original_detection_search% | search  user = "bob"' in first
    second = page.text_by_id["finding-1"]
    assert "2025-12-06 06:46:40 UTC" in second
    # a multi-line drilldown keeps its lines, to be copied as written
    assert '| from datamodel Risk.All_Risk\n| search normalized_risk_object IN ("bob")' in second
    mitre = [a["href"] for a in page.attrs_of("a") if not a["href"].startswith("#")]
    # ATT&CK's own URL form: a sub-technique is a path segment of its technique
    assert mitre == ["https://attack.mitre.org/techniques/T1526/",
                     "https://attack.mitre.org/techniques/T1078/004/",
                     "https://attack.mitre.org/techniques/T1586/003/"]


def test_result_rows(written):
    html, page = written
    rows = [[cell for cell in r] for r in _rows_after(html, "finding-0")]
    assert rows == [["field", "value"], ["user", "bob"], ["dc(eventName)", "57"],
                    ["eventName", "DescribeInstances\nListBuckets"]]


def test_detections_with_status_and_reason(written):
    _, page = written
    table = page.tables["detections"]
    assert [r[:6] for r in table[1:]] == [
        ["AWS Create Policy Version to allow all resources", "TTP", "fired", "1", "0.21", ""],
        ["AWS Defense Evasion Delete Cloudtrail", "TTP", "quiet", "0", "0.05", ""],
        ["AWS Excessive Security Scanning", "TTP", "fired", "1", "0.34", ""],
        ["AWS Console Login Failed During MFA Challenge", "TTP", "fired", "1", "0.11", ""],
        ["Okta Multiple Failed MFA Requests", "Anomaly", "not_applicable", "0", "0.00",
         "data source Okta is not in the data"],
        ["AWS Unsupported Example", "Hunting", "unsupported", "0", "0.00",
         "command 'mlspl' is not supported"],
        ["AWS Broken Example", "TTP", "error", "0", "0.02",
         "search error: line 1, column 9: bad regex"],
    ]


def test_loads_nothing_from_outside(written):
    html, page = written
    csp = [a for a in page.attrs_of("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1 and "default-src 'none'" in csp[0]["content"]
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in FETCHING and tag != "a":
                assert value is not None and value.startswith(("#", "data:")), (tag, name, value)
    for a in page.attrs_of("a"):  # links are followed on a click only, and only to these
        assert a["href"].startswith(("#", "https://attack.mitre.org/techniques/")), a
    for tag in ("script", "iframe", "img", "link", "object", "embed", "base"):
        assert page.attrs_of(tag) == [], tag
    assert page.styles and not any("url(" in s or "@import" in s for s in page.styles)


def test_hostile_values_are_text(written):
    html, page = written
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "\x1b" not in html and "\x07" not in html and "\u202e" not in html
    # the markup is shown as the characters it is made of, the control characters as escapes
    agent = next(r for r in _rows_after(html, "finding-2") if r[0] == "userAgent")
    assert agent[1] == "<img src=x onerror=alert(2)>\\x1b]52;c;cm0gLXJmIH4=\\x07\\u202etxt.exe"
    third = page.text_by_id["finding-2"]
    assert f"User {EVE} failed to pass MFA challenge" in third
    assert 'search user = "eve</pre><script>alert(5)</script>"' in third
    # a "technique id" that is a URL is shown, never linked
    assert "javascript:alert(4)" in third
    assert not any("javascript:" in (v or "") for _, a in page.tags for v in a.values())


def test_timeline_chart(written):
    html, page = written
    figure = page.text_by_id["timeline"]
    assert "user: bob" in figure and f"user: {EVE}" in figure
    assert "time (UTC)" in figure
    # 05:46:40 to 08:50:00 on one day: the axis is marked in times of that day
    assert "06:00" in figure and "2025-Dec-06" in figure and "2024" not in figure
    assert html.count("<svg") == 1


def _chart_doc(objects: list[tuple[str, float]]) -> dict:
    doc = copy.deepcopy(load())
    doc["findings"], doc["incidents"] = [], []
    doc["risk_events"] = [
        {"_time": 1765000000.0 + 60 * i, "search_name": "S - Rule", "risk_object": value,
         "risk_object_type": "user", "risk_score": score,
         "annotations.mitre_attack.mitre_tactic": []}
        for i, (value, score) in enumerate(objects)]
    return doc


def test_chart_shows_the_highest_scores_and_says_so(tmp_path):
    doc = _chart_doc([(f"u{i:02d}", i + 1) for i in range(35)])
    report.write_report(tmp_path / "r.html", doc)
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    figure = page.text_by_id["timeline"]
    assert report.CHART_OBJECTS == 30
    # scores 1..35: the 30 highest are u05 (6) .. u34 (35)
    assert all(f"user: u{i:02d}" in figure for i in range(5, 35))
    assert not any(f"user: u{i:02d}" in figure for i in range(5))
    assert "The 30 objects with the highest total score of 35" in " ".join(figure.split())
    assert len(page.tables["objects"]) == 36  # the table lists all 35


def test_chart_labels_are_literal(tmp_path):
    # a $ pair would be matplotlib mathtext; control characters show as escapes; long is cut
    doc = _chart_doc([("$x^2$ and $y$", 10), ("tab\there", 5), ("x" * 80, 1)])
    report.write_report(tmp_path / "r.html", doc)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    figure = Page(html).text_by_id["timeline"]
    assert "user: $x^2$ and $y$" in figure
    assert "user: tab\\there" in figure
    assert "user: " + "x" * 53 + "…" in figure and "x" * 54 not in figure  # 60 characters


def test_chart_of_one_instant(tmp_path):
    # matplotlib alone would spread one instant over years; the axis stays within minutes
    report.write_report(tmp_path / "r.html", _chart_doc([("bob", 50)]))
    figure = Page((tmp_path / "r.html").read_text(encoding="utf-8")).text_by_id["timeline"]
    assert "05:46" in figure and "2026" not in figure and "2024" not in figure


def test_empty_hunt(tmp_path):
    doc = copy.deepcopy(load())
    for key in ("findings", "risk_events", "incidents"):
        doc[key] = []
    report.write_report(tmp_path / "r.html", doc)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    page = Page(html)
    assert "No findings: no detection returned a result." in html
    assert "No risk events" in html
    assert "<svg" not in html and "timeline" not in page.text_by_id
    assert len(page.tables["detections"]) == 8


def test_unknown_times(tmp_path):
    doc = copy.deepcopy(load())
    for ev in doc["risk_events"]:
        ev["_time"] = None
    doc["findings"][0]["_time"] = None
    doc["generated"] = float("inf")
    report.write_report(tmp_path / "r.html", doc)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" not in html  # nothing to place on a time axis
    assert "Hunt run — by spl" in html
    assert Page(html).text_by_id["finding-0"].count("—") == 1


def test_same_document_same_bytes(tmp_path):
    # no date and a fixed id salt in the SVG: a report can be diffed against an earlier one
    report.write_report(tmp_path / "a.html", load())
    report.write_report(tmp_path / "b.html", load())
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_technique_url():
    assert report.technique_url("T1580") == "https://attack.mitre.org/techniques/T1580/"
    assert (report.technique_url("T1078.004")
            == "https://attack.mitre.org/techniques/T1078/004/")
    for bad in ("t1580", "T158", "T1580.1", "T1580/../x", "javascript:alert(1)", None, 1580):
        assert report.technique_url(bad) is None


@pytest.mark.parametrize("module", ["jinja2", "matplotlib"])
def test_missing_extra_is_a_usage_error(tmp_path, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    with pytest.raises(UsageError, match=r"pip install 'spl-cloudtrail\[report\]'"):
        report.write_report(tmp_path / "r.html", load())
    assert not (tmp_path / "r.html").exists()


def test_not_a_hunt_document(tmp_path):
    with pytest.raises(UsageError, match="not a spl hunt document: no 'data', 'detections', "
                                         "'risk_events', 'incidents', 'summary'"):
        report.write_report(tmp_path / "r.html", {"findings": []})
    with pytest.raises(UsageError, match="a JSON object"):
        report.write_report(tmp_path / "r.html", [])  # type: ignore[arg-type]


def test_unwritable_path(tmp_path):
    target = tmp_path / "no-such-folder" / "r.html"
    with pytest.raises(UsageError, match="cannot write the report") as err:
        report.write_report(target, load())
    assert err.value.file == str(target)


def test_template_ships_in_the_wheel():
    # the package and its template are in setuptools' lists, so a wheel install has them;
    # the report extra's packages are in the test extra, so CI runs these tests
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert "spl.hunt" in setuptools["packages"]
    patterns = setuptools["package-data"]["spl.hunt"]
    assert any(fnmatch.fnmatch("templates/report.html.j2", p) for p in patterns)
    assert (ROOT / "spl" / "hunt" / "templates" / "report.html.j2").is_file()
    extras = project["project"]["optional-dependencies"]
    assert set(extras["report"]) <= set(extras["test"])


def _rows_after(html: str, ident: str) -> list[list[str]]:
    """The rows of the first table inside the element with id ``ident``."""
    start = html.index(f'id="{ident}"')
    table = html[html.index("<table", start):html.index("</table>", start) + len("</table>")]
    page = Page(table.replace("<table", '<table id="t"', 1))
    return page.tables["t"]
