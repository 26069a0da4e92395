"""The Korean edition: its catalogs are complete, current and consistent with the glossary.

* Every message of book/locale/ko/ is translated, none is fuzzy (its English changed since it
  was translated), and each translation keeps its English's math, code, named roles, link
  targets and glossary links (tests/translation_rules.py).
* The catalogs hold exactly the messages of today's English text: a changed paragraph
  without `make translations` and its Korean update fails here.
* One Korean term per concept: the glossary's; no variant spelling anywhere, and the first
  use on each page is followed by its English.
* The Korean notebooks (for Colab and the download button) carry every translation and the
  English code cells unchanged.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
import translation_rules as rules
from babel.messages.pofile import read_po
from chapter_usage import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "book"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import translations
from editions import cross_page_glue, edition_href, translated_source
from translate_notebook import translate_markdown, translate_notebook

KO = rules.LOCALE / "ko" / "LC_MESSAGES"
CATALOGS = sorted(KO.rglob("*.po"))
ENTRIES = rules.glossary()
# Spellings of a glossary concept that the book does not use (the Korean edition of d2l, for
# one, has three for the vanishing gradient): the glossary's term -> variants.
VARIANTS = {
    "기울기 소실": ["그래디언트 소실", "그라디언트 소실", "배니싱", "경사 소실", "기울기 소멸"],
    "기울기 폭발": ["그래디언트 폭발", "그라디언트 폭발", "익스플로딩", "경사 폭발"],
    "기울기 클리핑": ["그래디언트 클리핑", "그라디언트 클리핑", "경사 클리핑"],
    "은닉 상태": ["히든 스테이트", "숨은 상태", "숨겨진 상태", "은닉상태"],
    "셀 상태": ["셀 스테이트", "셀상태"],
    "망각 게이트": ["포겟 게이트", "잊음 게이트", "망각게이트", "삭제 게이트"],
    "입력 게이트": ["인풋 게이트", "입력게이트"],
    "출력 게이트": ["아웃풋 게이트", "출력게이트"],
    "순환 신경망": ["순환신경망", "재귀 신경망", "리커런트 신경망"],
    "시간에 따른 역전파": ["시간 역전파", "시간을 통한 역전파", "시간 펼침 역전파"],
    "단순 예측": ["나이브 예측", "순진한 예측", "naive 예측"],
    "자기회귀 모형": ["자기회귀 모델", "자기 회귀 모형", "자기 회귀 모델"],
    "예측 구간": ["예측구간", "예측 간격"],
}


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _translations(path: Path) -> dict[str, str]:
    return {m.id: m.string for m in _catalog(path) if m.id and m.string and not m.fuzzy}


def test_there_is_a_catalog_for_every_page_the_diagrams_and_glued_words():
    pages = {p.relative_to(KO).with_suffix("").as_posix() for p in CATALOGS}
    wanted = {p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    wanted |= {f"book/{p.stem}" for p in (ROOT / "book").glob("*.md")} | {"diagrams", "glue"}
    assert pages == wanted, f"missing: {sorted(wanted - pages)}, extra: {sorted(pages - wanted)}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.relative_to(KO).as_posix())
def test_catalog_is_complete_and_keeps_the_markup(path):
    problems = rules.catalog_problems(path, ENTRIES)
    assert not problems, f"{len(problems)} problems:\n  " + "\n  ".join(problems[:40])


def test_catalogs_hold_the_messages_of_the_english_text(tmp_path):
    """Extract the English messages now (as `make translations` does) and compare."""
    translations.extract(tmp_path)
    stale = []
    for pot in sorted(tmp_path.rglob("*.pot")):
        name = pot.relative_to(tmp_path).with_suffix(".po")
        english = {(m.context, m.id) for m in _catalog(pot) if m.id}
        po = KO / name
        korean = {(m.context, m.id) for m in _catalog(po) if m.id} if po.is_file() else set()
        new, gone = english - korean, korean - english
        if new or gone:
            stale.append(f"{name}: {len(new)} new, e.g. {[i for _, i in new][:2]}; "
                         f"{len(gone)} no longer in the English, e.g. {[i for _, i in gone][:2]}")
    assert not stale, ("the catalogs are older than the English text: run `make translations`"
                       " and translate (CONTRIBUTING.md):\n  " + "\n  ".join(stale))


def test_each_glossary_entry_has_one_korean_term():
    korean = [e.korean for e in ENTRIES]
    assert len(korean) == len(set(korean)), f"a Korean term names two entries: {korean}"
    english = [t.lower() for e in ENTRIES for t in e.english]
    assert len(english) == len(set(english)), "an English term names two entries"
    assert all("," not in k for k in korean), f"one Korean term per entry: {korean}"


def test_no_variant_spelling_of_a_glossary_term():
    unknown = [term for term in VARIANTS if term not in {e.korean for e in ENTRIES}]
    assert not unknown, f"VARIANTS names terms the glossary lacks: {unknown}"
    found = []
    for path in CATALOGS:
        for msgid, msgstr in _translations(path).items():
            for term, variants in VARIANTS.items():
                found += [f"{path.name}: {v!r} for {term!r} in {msgstr[:60]!r}"
                          for v in variants if v in msgstr and v not in msgid]
            # "gradient" is 기울기 (기울기 소실, 기울기 클리핑); only the name of the
            # method 그레이디언트 부스팅 spells it out.
            for spelled in re.findall(r"그[래라레]이?디언트(?! 부스팅)", msgstr):
                found.append(f"{path.name}: {spelled!r} for 기울기 in {msgstr[:60]!r}")
    assert not found, "\n".join(found[:30])


def test_glossary_terms_stay_link_targets():
    """The Korean glossary keeps every term line as it is: the terms are what {term} roles
    of every page point at, in both editions."""
    catalog = {m.id: m.string for m in _catalog(KO / "book" / "glossary.po") if m.id}
    terms = [t for e in ENTRIES for t in (*e.english, e.korean)]
    changed = [t for t in terms if catalog.get(t, t) != t]
    assert not changed, f"glossary terms translated (keep them as they are): {changed}"


def test_rules_catch_lost_markup_and_terms():
    assert rules.markup_problems("a $x_t$ and `f()`", "가 $x_t$와 `f()`") == []
    assert rules.markup_problems("a $x_t$", "가 $x$")
    assert rules.markup_problems("see {numref}`fig-a`", "{numref}`fig-b` 참고")
    assert rules.markup_problems("[docs](https://a.b/c)", "[문서](https://a.b/d)")
    entries = [rules.Entry(("forget gate",), "망각 게이트")]
    assert rules.term_problems("the {term}`forget gate`", "{term}`망각 게이트 <forget gate>`",
                               entries) == []
    assert rules.term_problems("the {term}`forget gate`", "{term}`포겟 게이트 <forget gate>`",
                               entries)
    assert rules.term_problems("the {term}`forget gate`", "망각 게이트", entries)
    assert rules.first_use_problems(["망각 게이트(forget gate)는", "망각 게이트"], entries) == []
    assert rules.first_use_problems(["망각 게이트는"], entries)
    longer = [*entries, rules.Entry(("forget-gate bias",), "망각 게이트 편향")]
    assert rules.first_use_problems(
        ["망각 게이트 편향(forget-gate bias)", "망각 게이트(forget gate)"], longer) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_korean_notebook_carries_every_translation(path):
    catalog = _translations(KO / "notebooks" / f"{path.stem}.po")
    english = nbformat.read(path, as_version=4)
    korean, used = translate_notebook(english, catalog, colab=("https://colab", "KO-URL"))
    unused = [i for i, s in catalog.items() if s != i and i not in used]
    assert not unused, f"translations not placed in the Korean notebook: {unused[:5]}"
    assert [c.source for c in korean.cells if c.cell_type == "code"] == \
           [c.source for c in english.cells if c.cell_type == "code"], "code cells changed"
    markdown = [c.source for c in korean.cells if c.cell_type == "markdown"]
    prose = [re.sub(r"(?m)^(```.*|:[\w-]+:.*)$", "", s) for s in markdown]
    assert all(rules.HANGUL.search(s) for s in prose if re.search(r"[A-Za-z]{4}", s)), \
        "a markdown cell without Korean"
    assert "KO-URL" in markdown[0], "the Colab badge does not open the Korean notebook"


def test_translate_markdown_keeps_structure():
    text = ("# Title\n\nA paragraph\non two lines.\n\n- item **one**\n- item two\n\n"
            "| a | b |\n|---|---|\n| x | y |\n\n```{exercise}\n:label: e1\n\nDo it.\n```\n"
            "\n```{figure} f.svg\n:alt: Alt text.\n\nThe caption.\n```\n\n```python\nx = 1\n```")
    tr = {"Title": "제목", "A paragraph on two lines.": "두 줄 문단.",
          "item **one**": "항목 **하나**", "x": "엑스", "Do it.": "하세요.",
          "Alt text.": "대체 텍스트.", "The caption.": "캡션.",
          "x = 1": "바꾸면 안 됨"}
    used: set[str] = set()
    out = translate_markdown(text, tr, used)
    assert out == ("# 제목\n\n두 줄 문단.\n\n- 항목 **하나**\n- item two\n\n"
                   "| a | b |\n|---|---|\n| 엑스 | y |\n\n"
                   "```{exercise}\n:label: e1\n\n하세요.\n```\n"
                   "\n```{figure} f.svg\n:alt: 대체 텍스트.\n\n캡션.\n```\n\n```python\nx = 1\n```")
    assert used == set(tr) - {"x = 1"}


@pytest.mark.parametrize("page, here, there, expected", [
    ("book/intro", "en", "ko", "../ko/book/intro.html"),
    ("book/intro", "ko", "en", "../../book/intro.html"),
    ("search", "en", "ko", "ko/search.html"),
    ("search", "ko", "en", "../search.html"),
    ("notebooks/04_lstm_gates", "ko", "ko", "../../ko/notebooks/04_lstm_gates.html"),
])
def test_language_switch_links_the_same_page(page, here, there, expected):
    assert edition_href(page, here, there, root="en") == expected


def test_cross_page_glue_keeps_the_format_and_gives_one_where_there_is_none():
    assert cross_page_glue("/n/a.ipynb", "ch1_x:.2f") == "{glue:text}`/n/a.ipynb::ch1_x:.2f`"
    assert cross_page_glue("/n/a.ipynb", "ch1_x") == "{glue:text}`/n/a.ipynb::ch1_x:s`"


def test_translated_source_reads_glue_and_numbered_titles():
    title = "1. 세 게이트\n" + "=" * 20  # how Sphinx hands over a translated title
    assert translated_source(title, "/n/a.ipynb") == "1\\. 세 게이트\n" + "=" * 20
    assert translated_source("1. 목록", "/n/a.ipynb") == "1. 목록"
    assert translated_source("값 {glue:text}`k`", "/n/a.ipynb") == \
        "값 {glue:text}`/n/a.ipynb::k:s`"
    assert translated_source("값 {glue:text}`k`", "/book/b.md") == "값 {glue:text}`k`"


def test_edition_config_is_the_english_one_with_the_edition_changes():
    import yaml

    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    korean = yaml.safe_load(translations.edition_config("ko"))
    assert korean["sphinx"]["config"]["language"] == "ko"
    assert korean["execute"] == english["execute"], "the Korean build must execute the same way"
    assert korean["parse"] == english["parse"]
    for name, path in korean["sphinx"]["local_extensions"].items():
        assert Path(path).is_absolute() and Path(path, f"{name}.py").is_file(), (name, path)
    with pytest.raises(ValueError, match="language='xx'"):
        translations.edition_config("xx")


def test_math_free_leaves_the_words_of_a_label():
    assert translations.math_free("chunk 1 ($K$ steps)") == "chunk 1 ( steps)"
    assert translations.math_free("$h_{t-1}$") == ""


def test_update_glue_keeps_translations_adds_new_words_and_drops_gone_ones(tmp_path,
                                                                          monkeypatch):
    import json

    executed = tmp_path / "executed"
    (executed / "notebooks").mkdir(parents=True)
    glue = executed / "notebooks" / "a.glue.json"

    def write(values: dict[str, str]) -> None:
        glue.write_text(json.dumps({k: {"data": {"text/plain": repr(v)}}
                                    for k, v in values.items()}), encoding="utf-8")

    monkeypatch.setattr(translations, "LOCALE", tmp_path / "locale")
    catalog = tmp_path / "locale" / "xx" / "LC_MESSAGES" / "glue.po"
    catalog.parent.mkdir(parents=True)
    write({"month": "January 2021", "time": "2.0 ms", "value": "3.5", "name": "TCN"})
    translations.update_glue("xx", executed)
    assert {m.id: m.string for m in _catalog(catalog) if m.id} == {"January 2021": "",
                                                                  "TCN": ""}
    first = _catalog(catalog)
    first.get("January 2021", context="notebooks/a").string = "2021년 1월"
    with catalog.open("wb") as f:
        translations.write_po(f, first, width=0)
    write({"month": "January 2021", "verdict": "changes"})
    translations.update_glue("xx", executed)
    assert {m.id: m.string for m in _catalog(catalog) if m.id} == {"January 2021": "2021년 1월",
                                                                  "changes": ""}
