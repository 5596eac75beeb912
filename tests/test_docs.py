"""The documents point only at what the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

DOCS = sorted([ROOT / "README.md", ROOT / "data" / "README.md", *(ROOT / "docs").glob("*.md"),
               *(ROOT / "docs").glob("*/*.md")])
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)+\.(?:py|yaml|yml|csv|md|txt|ipynb|png|json|toml|sh))`")
MACHINE = re.compile(r"(?<![\w.])/(?:work|home|root|tmp)/[\w./-]+")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_cited_files_exist(doc: Path):
    text = doc.read_text(encoding="utf-8")
    broken = [t for t in LINK.findall(text)
              if "://" not in t and not t.startswith("mailto:") and not (doc.parent / t).exists()]
    missing = [t for t in PATH.findall(text)
               if not (ROOT / t).exists() and not (doc.parent / t).exists()]
    assert broken == [] and missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_path_of_one_machine(doc: Path):
    assert MACHINE.findall(doc.read_text(encoding="utf-8")) == []
