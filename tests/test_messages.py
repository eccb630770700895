"""What people read is plain text: no Markdown or backticks in messages.

Refusals, flashes and page texts are shown as they are written, so a
`code span` or **bold** in them reaches the reader as literal punctuation.
This reads every user-facing string of the code: the translatable ones, the
messages of domain errors and of Django's `messages`, and the texts of the
templates."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from django.apps import apps

from kernel.errors import DomainError

ROOT = Path(__file__).resolve().parent.parent
MARKDOWN = re.compile(r"`|\*\*|__\w|\[[^\]]+\]\([^)]*\)")
TRANSLATED = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
FLASHES = {"success", "error", "warning", "info"}
NOT_PRODUCT = (".venv", "tests", "benchmarks", "docs", "node_modules")


def product_files(pattern: str):
    for path in ROOT.rglob(pattern):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_PRODUCT or "migrations" in parts:
            continue
        yield path


def domain_error_names() -> set[str]:
    for config in apps.get_app_configs():
        if (ROOT / config.name.replace(".", "/") / "errors.py").exists():
            importlib.import_module(f"{config.name}.errors")
    names, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names | {"ValidationError"}


def strings_in(node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub


def user_facing_strings(tree: ast.AST, errors: set[str]):
    seen = set()
    for constant in _user_facing_strings(tree, errors):
        if id(constant) not in seen:
            seen.add(id(constant))
            yield constant


def _user_facing_strings(tree: ast.AST, errors: set[str]):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        owner = getattr(getattr(node.func, "value", None), "id", "")
        if name in TRANSLATED or name in errors:
            yield from strings_in(node)
        elif name in FLASHES and owner == "messages":
            for argument in node.args[1:]:
                yield from strings_in(argument)


def test_no_markdown_or_backticks_in_the_messages_of_the_code():
    errors = domain_error_names()
    found = []
    for path in product_files("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for constant in user_facing_strings(tree, errors):
            if MARKDOWN.search(constant.value):
                where = f"{path.relative_to(ROOT)}:{constant.lineno}"
                found.append(f"{where}: {constant.value!r}")
    assert found == [], "\n".join(found)


def test_no_markdown_or_backticks_in_the_texts_of_the_templates():
    found = []
    for path in product_files("*.html"):
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(), flags=re.S)
        text = re.sub(r"{#.*?#}", "", text)
        text = re.sub(r"<(script|style|code|pre)\b.*?</\1>", "", text, flags=re.S)
        for number, line in enumerate(text.splitlines(), start=1):
            if "`" in line or "**" in line:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == [], "\n".join(found)


def test_the_check_sees_markdown_where_it_is():
    tree = ast.parse('raise InvalidInput(_("Run `chain.py verify` first."))\nx = "`fine`"')
    flagged = [c.value for c in user_facing_strings(tree, {"InvalidInput"})]
    assert [value for value in flagged if MARKDOWN.search(value)] == [
        "Run `chain.py verify` first."
    ]
