"""What a translated message must keep from its English original, and the glossary's terms.

tests/test_translations.py applies these rules to every message of book/locale/; translators
can run them on one catalog while they work:

    .venv/bin/python tests/translation_rules.py book/locale/ko/LC_MESSAGES/book/intro.po
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "book" / "locale"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")
MATH = re.compile(r"(?<!\\)\$\$?[^$]+\$\$?")
CODE = re.compile(r"``?[^`]+``?")  # looked for with the roles taken out
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Roles whose content is a name (a key, a label, a document, a citation key): copied as is.
NAME_ROLES = {"glue:text", "numref", "ref", "doc", "eq", "cite:t", "cite:p", "cite", "math"}


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its English terms (abbreviations included) and its Korean term."""

    english: tuple[str, ...]
    korean: str

    def has(self, target: str) -> bool:
        """Whether ``target`` (a ``{term}`` role's target) names this entry."""
        return target.lower() in {t.lower() for t in (*self.english, self.korean)}


def glossary(path: Path = ROOT / "book" / "glossary.md") -> list[Entry]:
    """The entries of the glossary page, in its order."""
    text = path.read_text(encoding="utf-8")
    body = text[text.index("```{glossary}"):]
    body = body[body.index("\n\n") + 2:body.rindex("```")]
    entries, terms, defining = [], [], False
    for line in [*body.split("\n"), ""]:
        if line.startswith(" "):
            defining = True
            continue
        if defining or not line.strip():
            if terms:
                korean = [t for t in terms if HANGUL.search(t)]
                if len(korean) != 1:
                    raise ValueError(f"glossary entry {terms}: expected one Korean term")
                entries.append(Entry(tuple(t for t in terms if t not in korean), korean[0]))
            terms, defining = [], False
        if line.strip():
            terms.append(line.strip())
    return entries


def role_target(content: str) -> str:
    """The target of a role's content: ``text <target>`` or the content itself."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
    return match.group(2) if match else content


def role_text(content: str) -> str:
    """What a role shows: the text of ``text <target>``, or the content itself."""
    match = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
    return match.group(1) if match else content


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """How ``msgstr`` fails to keep ``msgid``'s markup: its math, code, named roles, the
    kinds of every role and the targets of named roles and links."""
    problems = []
    for name, pattern in (("math", MATH), ("code", CODE), ("link target", LINK)):
        # Code spans are looked for outside roles, whose backticks are not code.
        english, korean = (ROLE.sub("", t) if name == "code" else t for t in (msgid, msgstr))
        lost = Counter(pattern.findall(english)) - Counter(pattern.findall(korean))
        added = Counter(pattern.findall(korean)) - Counter(pattern.findall(english))
        if lost or added:
            problems.append(f"{name}: lost {sorted(lost)}, added {sorted(added)}")
    roles_en = ROLE.findall(msgid)
    roles_ko = ROLE.findall(msgstr)
    if Counter(r for r, _ in roles_en) != Counter(r for r, _ in roles_ko):
        problems.append(f"roles differ: {[r for r, _ in roles_en]} -> {[r for r, _ in roles_ko]}")
    # A named role may get a translated title ({doc}`표기법 <notation>`), never a new target.
    named_en = Counter((r, role_target(c)) for r, c in roles_en if r in NAME_ROLES)
    named_ko = Counter((r, role_target(c)) for r, c in roles_ko if r in NAME_ROLES)
    if named_en != named_ko:
        problems.append(f"named roles changed: {sorted(named_en - named_ko)} -> "
                        f"{sorted(named_ko - named_en)}")
    return problems


def term_problems(msgid: str, msgstr: str, entries: list[Entry]) -> list[str]:
    """Each ``{term}`` link of ``msgid`` must be one of ``msgstr`` to the same entry, showing
    the entry's Korean term (or keeping an abbreviation such as RNN)."""
    problems = []
    wanted = Counter()
    for _, content in (r for r in ROLE.findall(msgid) if r[0] == "term"):
        entry = next((e for e in entries if e.has(role_target(content))), None)
        if entry is None:
            problems.append(f"{{term}}`{content}` names no glossary entry")
        else:
            wanted[entry] += 1
    found = Counter()
    for _, content in (r for r in ROLE.findall(msgstr) if r[0] == "term"):
        entry = next((e for e in entries if e.has(role_target(content))), None)
        if entry is None:
            problems.append(f"{{term}}`{content}` names no glossary entry")
            continue
        shown = role_text(content)
        abbreviation = any(t.isupper() and t in shown for t in entry.english)
        if entry.korean not in shown and not abbreviation:
            problems.append(f"{{term}}`{content}` should show the glossary's {entry.korean!r}")
        found[entry] += 1
    for entry in wanted - found:
        problems.append(f"a {{term}} link to {entry.korean!r} ({entry.english[0]}) is missing")
    return problems


def korean_occurrences(text: str, entries: list[Entry]) -> list[tuple[int, Entry]]:
    """Where each entry's Korean term occurs in ``text``, longer terms first: ``망각 게이트``
    inside ``망각 게이트 편향`` is not an occurrence of the shorter term."""
    taken = [False] * len(text)
    found = []
    for entry in sorted(entries, key=lambda e: -len(e.korean)):
        for match in re.finditer(re.escape(entry.korean), text):
            if not any(taken[match.start():match.end()]):
                found.append((match.start(), entry))
                taken[match.start():match.end()] = [True] * len(entry.korean)
    return sorted(found, key=lambda f: f[0])


def first_use_problems(messages: list[str], entries: list[Entry]) -> list[str]:
    """Across one page's messages (in page order), the first use of each glossary term in
    Korean must be followed by its English term in parentheses: ``망각 게이트(forget gate)``."""
    problems, seen = [], set()
    for text in messages:
        plain = ROLE.sub(lambda m: role_text(m.group(2)) if m.group(1) == "term" else "", text)
        for start, entry in korean_occurrences(plain, entries):
            if entry in seen:
                continue
            seen.add(entry)
            after = plain[start + len(entry.korean):]
            inside = re.match(r"\s?\(([^)]*)\)", after)
            if not inside or not any(t.lower() in inside.group(1).lower()
                                     for t in entry.english):
                problems.append(f"first use of {entry.korean!r} lacks '({entry.english[0]})': "
                                f"{plain[max(0, start - 20):start + 60]!r}")
    return problems


def catalog_problems(path: Path, entries: list[Entry] | None = None) -> list[str]:
    """Every problem of one catalog: untranslated or fuzzy messages, lost markup, glossary
    links, and (for a page) the first use of each term."""
    entries = glossary() if entries is None else entries
    with path.open("rb") as f:
        catalog = read_po(f)
    problems, texts = [], []
    for message in catalog:
        if not message.id:
            continue
        where = f"{path.name}: {message.id[:70]!r}"
        if not message.string:
            problems.append(f"{where}: untranslated")
            continue
        if message.fuzzy:
            problems.append(f"{where}: fuzzy (the English changed)")
        if message.id.startswith("\n") and message.string != message.id:
            problems.append(f"{where}: a display equation must be copied unchanged")
        problems += [f"{where}: {p}" for p in markup_problems(message.id, message.string)]
        problems += [f"{where}: {p}" for p in term_problems(message.id, message.string, entries)]
        texts.append(message.string)
    if path.stem not in ("diagrams", "glue", "glossary", "notation"):
        problems += [f"{path.name}: {p}" for p in first_use_problems(texts, entries)]
    return problems


if __name__ == "__main__":
    found = [p for arg in sys.argv[1:] for p in catalog_problems(Path(arg))]
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)
