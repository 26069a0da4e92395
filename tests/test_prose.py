"""Checks of the book's words: numbers glued, exercise solutions executed, one notation.

The rules, as CONTRIBUTING.md states them:

* A number in a chapter's prose or figure captions that a computation produced is glued
  from the cell that computed it (``rnnlib.glue``, written ``{glue:text}`key``` in the
  text), never typed.
  A *typed result* is a decimal (``0.73``), a number in scientific form (``1e-7``,
  ``10^{-7}``), a percentage, a number with thousands separators (``8,615,465``), a factor
  (``30×``) or a number after "about", "roughly", "nearly", "≈" or "~", outside code spans
  and roles. The few constants that may stay typed are listed in ``ALLOWED_TYPED``.
* Every exercise has a gated solution (``solution-start`` ... ``solution-end``) around code
  cells that CI runs, and those cells assert what the solution claims. Every chapter has at
  least four exercises, one of them marked ``:class: predict``, which asks for a prediction
  before the code is run.
* Every chapter opens with what the reader will be able to do and closes with takeaways
  that glue their numbers.
* The symbols of ``book/notation.md`` are the book's only notation; the clashes it resolved
  stay resolved. Every glossary term a chapter uses is linked with ``{term}`` where the
  chapter first uses it.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from chapter_usage import NOTEBOOKS, ROOT, chapter_number, code_cells

# Constants that may be typed into the prose (at most five in the whole book), each with why.
ALLOWED_TYPED = {
    # The normal distribution's two-sided 95% quantile: a constant of statistics, not a result.
    "1.96",
}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def _markdown(path: Path) -> list[str]:
    return [_src(c) for c in _cells(path) if c["cell_type"] == "markdown"]


# --- typed numbers ------------------------------------------------------------------------

_STRIP = [
    re.compile(r"```\{(?:exercise|solution-start|solution-end|glossary)\}[^\n]*"),  # directives
    re.compile(r"^:[\w-]+:.*$", re.MULTILINE),        # directive options (:label: ch1-x)
    re.compile(r"`[^`\n]*`"),                         # code spans and the targets of roles
    re.compile(r"\]\([^)]*\)"),                       # link targets
    re.compile(r"(?i)\b(?:sections?|chapters?|exercises?|figures?|fig\.)\s+\d+(?:\.\d+)*"),
]
_TYPED = re.compile(
    r"(?<![\w.])(?:"
    r"\d+(?:\.\d+)?\s*(?:\\?%|percent)"               # 3%, 2.5 percent, 3\%
    r"|\d+(?:\.\d+)?\s*(?:×|\\times)(?!\s*\d)"        # a factor: 30×, 2 \times (not 8 × 8)
    r"|\d+(?:\.\d+)?[eE][-+]?\d+"                     # 2.5e-7
    r"|10\^\{?[-−]?\d+\}?"                            # 10^{-7}
    r"|\d{1,3}(?:(?:,|\{,\})\d{3})+(?:\.\d+)?"        # 8,615,465 or 1{,}152
    r"|\d+\.\d+"                                      # 0.0119
    r"|(?:(?<=about )|(?<=roughly )|(?<=nearly )|(?<=≈ )|(?<=\\approx )|(?<=~))"
    r"(?![01]\b)\d+"                                  # about 20 (about 0 or 1 is qualitative)
    r")")


def typed_numbers(text: str) -> list[str]:
    """The typed results in a markdown text, by the rule in this module's docstring."""
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return [m.group(0) for m in _TYPED.finditer(text)
            if m.group(0).replace("\\", "") not in ALLOWED_TYPED]


def test_the_typed_number_rule_finds_results_and_spares_the_rest():
    found = typed_numbers("RMSE 0.0119, about 9,850× or 1e-7 and $10^{-7}$, 97% kept, "
                          "about 20 steps, 2.5 percent, 1{,}152 parameters")
    assert found == ["0.0119", "9,850", "1e-7", "10^{-7}", "97%", "20", "2.5 percent",
                     "1{,}152"], found
    assert typed_numbers("section 2.1, chapter 3, `lr=1e-3`, {glue:text}`ch1_rmse`, "
                         "8 × 8 digits, 1700–2008, [x](a/b.1.2), ±1.96") == []


def _captions(path: Path) -> list[str]:
    """The figure captions of the notebook's code cells (shown under each figure)."""
    return [c["metadata"].get("mystnb", {}).get("figure", {}).get("caption", "")
            for c in _cells(path) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_result_is_typed_into_the_prose(path):
    typed = [(i, n) for i, text in enumerate(_markdown(path) + _captions(path))
             for n in typed_numbers(text)]
    assert not typed, (f"{path.name}: numbers typed into the prose or a caption (index, number); "
                       f"glue them from the cell that computes them: {typed}")


def test_few_constants_are_allowed():
    assert len(ALLOWED_TYPED) <= 5, ALLOWED_TYPED


# --- glue ----------------------------------------------------------------------------------

_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::[^`]*)?`")


def _glued_keys(path: Path) -> list[str]:
    """The keys the notebook's code glues: first arguments of ``glue("key", ...)``."""
    keys = []
    for source in code_cells(path):
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                keys.append(node.args[0].value)
    return keys


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_glued_key_is_defined_once_and_used(path):
    chapter = chapter_number(path)
    keys = _glued_keys(path)
    used = {k for text in _markdown(path) for k in _GLUE_ROLE.findall(text)}
    assert keys, f"{path.name} glues no number into its text"
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"{path.name}: keys glued twice: {dupes}"
    bad_prefix = [k for k in keys if not k.startswith(f"ch{chapter}_")]
    assert not bad_prefix, f"{path.name}: glue keys must start with 'ch{chapter}_': {bad_prefix}"
    assert used <= set(keys), f"{path.name}: the text uses keys no cell glues: {used - set(keys)}"
    assert set(keys) <= used, f"{path.name}: keys glued but never used: {set(keys) - used}"


# --- exercises -----------------------------------------------------------------------------

_EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)")


def exercises(path: Path) -> list[dict]:
    """Every exercise: label, class, and the code cells of its gated solution."""
    found, current = [], None
    for cell in _cells(path):
        text = _src(cell)
        if cell["cell_type"] == "markdown":
            for m in _EXERCISE.finditer(text):
                opts = dict(re.findall(r":([\w-]+):\s*(.*)", m.group(1)))
                found.append({"label": opts.get("label"), "class": opts.get("class", ""),
                              "text": text[m.end():text.find("```", m.end())],
                              "solution": None, "code": []})
            start = re.search(r"```\{solution-start\}\s*(\S+)", text)
            if start:
                assert current is None, f"{path.name}: solution-start inside a solution"
                current = next((e for e in found if e["label"] == start.group(1)), None)
                assert current is not None, f"{path.name}: solution for unknown {start.group(1)}"
                current["solution"] = text
            if "```{solution-end}" in text:
                assert current is not None, f"{path.name}: solution-end without a start"
                current = None
        elif current is not None:
            current["code"].append(text)
    assert current is None, f"{path.name}: a solution-start has no solution-end"
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_executed_solutions_that_assert(path):
    md = "\n".join(_markdown(path))
    assert "## Exercises" in md
    assert "```{solution}" not in md, (
        f"{path.name}: a {{solution}} directive holds only text that nothing runs; use "
        "solution-start / solution-end around code cells")
    found = exercises(path)
    assert len(found) >= 4, f"{path.name}: {len(found)} exercises, fewer than 4"
    for ex in found:
        assert ex["solution"] is not None, f"{path.name}: {ex['label']} has no solution"
        assert ":class: dropdown" in ex["solution"], f"{path.name}: {ex['label']} not hidden"
        code = "\n".join(ex["code"])
        assert ex["code"] and re.search(r"^\s*assert\b", code, re.MULTILINE), (
            f"{path.name}: the solution of {ex['label']} has no code cell with an assert")
    predict = [ex["label"] for ex in found if "predict" in ex["class"].split()]
    assert predict, f"{path.name}: no exercise marked ':class: predict'"
    for ex in found:
        if ex["label"] in predict:
            assert re.search(r"(?i)\bpredict", ex["text"]), (
                f"{path.name}: {ex['label']} is marked predict but does not ask for a prediction")


def test_exercise_labels_are_unique_and_name_their_chapter():
    labels = [(p, e["label"]) for p in NOTEBOOKS for e in exercises(p)]
    assert len({lab for _, lab in labels}) == len(labels), labels
    for path, label in labels:
        assert label.startswith(f"ch{chapter_number(path)}-"), (path.name, label)


# --- opening and closing -------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_opens_with_goals_and_closes_with_glued_takeaways(path):
    md = _markdown(path)
    assert "You will be able to" in md[0], (
        f"{path.name}: the first cell must say what the reader will be able to do "
        "('You will be able to:' and a list)")
    takeaways = next((t for t in md if t.lstrip().startswith("## Takeaways")), None)
    assert takeaways is not None, f"{path.name}: no '## Takeaways' section"
    assert _GLUE_ROLE.search(takeaways), f"{path.name}: the takeaways glue no number"
    order = [i for i, t in enumerate(md) if t.lstrip().startswith(("## Takeaways",
                                                                    "## Exercises"))]
    assert len(order) == 2 and md[order[0]].lstrip().startswith("## Takeaways"), (
        f"{path.name}: the takeaways come right before the exercises")
    assert not re.search(r"(?i)printout above|printed above", "\n".join(md)), (
        f"{path.name}: say the numbers (glued) instead of pointing at a printout")


# --- notation ------------------------------------------------------------------------------

# Each pattern is a use of a symbol that book/notation.md gave to another quantity.
CLASHES = [
    (r"(?<![\\\w{])L\s*=\s*(?:\\sum|\\frac|\d)", "the loss is \\mathcal{L}; look-back w; layers D"),
    (r"\\ell_t\b|\\ell_T\b", "a step's loss is \\mathcal{L}_t (\\ell is the layer index)"),
    (r"num_layers\s*=\s*L\b|`num_layers` \(\$L\$\)", "the number of layers is D"),
    (r"(?<![\w\\])k\s*=\s*\d", "the truncation length is K, the distance d"),
    (r"T\s*-\s*1\s*-\s*t", "the distance from the loss is d = T - t"),
    (r"\\hat y_\{T\s*\+\s*h|\bh\s*=\s*1,\s*\\dots", "the horizon is H, steps ahead j, origin t_0"),
    (r"(?i)four gates", "an LSTM has three gates and a cell candidate"),
    (r"proj[^\n]{0,300}W_\{hr\}|W_\{hr\}[^\n]{0,120}proj", "the projection is W_{\\mathrm{proj}}"),
    (r"\$[^$]*\b[OHLCV]_\{?t", "prices are \\text{open}_t, \\text{high}_t, ... (notation page)"),
    (r"(?<![\w\\])m_t\b", "the trailing mean is \\bar y_t"),
    (r"(?<![\w\\])n_t\b", "the GRU candidate is \\tilde h_t"),
    ((r"\\rho\^\{?d\}?\s*\\lVert"
      r"|slope[^.\n]{0,40}\\ln \\rho(?![^.\n]{0,80}(?:orthogonal|only|when))"),
     "ρ^d governs the gradient only when W_hh is a multiple of an orthogonal matrix: say so"),
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_follows_the_notation_page(path):
    md = "\n".join(_markdown(path))
    md = re.sub(r"`[^`\n]*`", " ", md)                 # code spans may use code names
    found = [(why, m.group(0)) for pattern, why in CLASHES
             for m in re.finditer(pattern, md)]
    assert not found, f"{path.name}: notation clashes (rule, text): {found}"


def test_notation_page_lists_each_symbol_once():
    text = (ROOT / "book" / "notation.md").read_text(encoding="utf-8")
    symbols = re.findall(r"^\| (\$[^|]+\$) \|", text, re.MULTILINE)
    assert len(symbols) > 30, symbols
    dupes = {s for s in symbols if symbols.count(s) > 1}
    assert not dupes, f"symbols defined twice on the notation page: {dupes}"


# --- glossary links ------------------------------------------------------------------------

def glossary_terms() -> list[str]:
    """The primary (first) English term of every glossary entry."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries = [e for e in re.split(r"\n\s*\n", body) if e.strip() and not e.startswith(":")]
    return [e.strip().splitlines()[0].strip() for e in entries]


def _prose(path: Path) -> str:
    """The chapter's markdown without headings, math, code spans or directive lines."""
    text = "\n".join(_markdown(path))
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"^#.*$|^```.*$|^:[\w-]+:.*$", " ", text, flags=re.MULTILINE)
    return drop_code_spans(text)


def drop_code_spans(text: str) -> str:
    """Blank out code spans but keep roles: a role's closing backtick opens no code span."""
    return re.sub(r"(\{[\w:-]+\}`[^`]*`)|`[^`\n]*`", lambda m: m.group(1) or " ", text)


def first_unlinked_use(prose: str, term: str) -> str | None:
    """The context of the first plain use of ``term`` if it comes before any link to it."""
    word = re.compile(rf"(?i)\b{re.escape(term)}(?:s|es)?\b")
    link = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>]+)>)?`")
    pos = 0
    for m in link.finditer(prose):
        plain = word.search(prose[pos:m.start()])
        if plain:
            start = pos + plain.start()
            return prose[max(0, start - 40):start + 40]
        if (m.group(2) or m.group(1)).strip().lower() == term.lower():
            return None
        pos = m.end()
    plain = word.search(prose[pos:])
    return None if plain is None else prose[pos + plain.start() - 40:pos + plain.start() + 40]


def test_first_unlinked_use_reads_roles_and_code_spans_apart():
    prose = "A {term}`gate`, the {term}`forget gates <forget gate>` and `gate` in code"
    text = drop_code_spans(prose)
    assert first_unlinked_use(text, "gate") is None
    assert first_unlinked_use(text, "forget gate") is None
    assert first_unlinked_use("the forget gate, then {term}`forget gate`", "forget gate")


def test_glossary_terms_are_unique():
    terms = [t.lower() for t in glossary_terms()]
    assert len(terms) == len(set(terms)) and len(terms) > 40, terms


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glossary_terms_are_linked_where_first_used(path):
    prose = _prose(path)
    unlinked = {t: ctx for t in glossary_terms() if (ctx := first_unlinked_use(prose, t))}
    assert not unlinked, (f"{path.name}: glossary terms used before a {{term}} link "
                          f"(term: context): {unlinked}")
    assert "{term}" in prose, f"{path.name} links no glossary term"
