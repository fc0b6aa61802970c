"""Keep the translation catalogues in step with the code.

    python -m crm_core.messages update      # or: make i18n

extracts every message of ``app.py``, ``pages/`` and ``crm_core/`` (the
keywords ``_``, ``n_`` for singular/plural, ``N_`` for constants and the page
titles given to ``setup``) with
Babel's Python extractor into the template ``crm_core/locales/messages.pot``,
then merges it into every ``crm_core/locales/<lang>.po``: new messages arrive
untranslated, messages gone from the code are dropped. Translators then fill
the empty ``msgstr`` lines; ``tests/test_i18n.py`` fails until every language
has every message.

    python -m crm_core.messages missing     # what still needs a translator

The template lists files, not line numbers, so moving code around does not
change it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from .i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR

ROOT = LOCALE_DIR.parents[1]
TEMPLATE = LOCALE_DIR / "messages.pot"
# ``setup("Title", "icon")`` translates its title itself, so its first argument is a message too.
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None, "setup": (1,)}
UPDATE_COMMAND = "python -m crm_core.messages update   (or: make i18n)"
# Each language's plural rule (gettext syntax), written into a catalogue when it is created.
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);", "fr": "nplurals=2; plural=(n > 1);",
                "id": "nplurals=1; plural=0;"}
# Header lines that change on every write; a catalogue is rewritten only when the rest differs.
_DATED = ('"POT-Creation-Date:', '"PO-Revision-Date:')


def source_files() -> list[Path]:
    """The Python files whose messages are extracted, in a stable order."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "crm_core").rglob("*.py"))]
    return [path for path in files if path.exists() and "__pycache__" not in path.parts]


def extract() -> Catalog:
    """A fresh template ``Catalog`` of every message in the code (no translations)."""
    template = Catalog(project="customer-response", charset="utf-8", fuzzy=False)
    for path in source_files():
        relative = path.relative_to(ROOT).as_posix()
        for _line, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True):
            template.add(message, None, locations=[(relative, None)], auto_comments=comments, context=context)
    return template


def load(path: Path, lang: str | None = None) -> Catalog:
    """The catalogue stored in ``path`` (a ``.po`` of ``lang`` or the ``.pot``)."""
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


def _render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def _write_if_changed(path: Path, catalog: Catalog) -> bool:
    """Write ``catalog`` to ``path`` unless only its dates would change; True if written."""
    new = _render(catalog)
    if path.exists():
        def undated(text: bytes) -> list[bytes]:
            return [line for line in text.splitlines() if not line.decode().startswith(_DATED)]
        if undated(path.read_bytes()) == undated(new):
            return False
    path.write_bytes(new)
    return True


def new_catalogue(lang: str) -> Catalog:
    """An empty catalogue of ``lang`` with its plural rule (Babel's default for a
    language missing from its table, e.g. Indonesian, would be English's)."""
    header = (f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Plural-Forms: {PLURAL_FORMS[lang]}\\n"\n'
              '"Content-Type: text/plain; charset=UTF-8\\n"\n')
    catalog = read_po(io.StringIO(header), locale=lang)
    catalog.project = "customer-response"
    return catalog


def translations() -> list[str]:
    """The languages with a catalogue (every language but English)."""
    return [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]


def update() -> list[str]:
    """Extract the template, merge it into every language's catalogue (creating a
    missing one); returns the paths written."""
    template = extract()
    written = [TEMPLATE] if _write_if_changed(TEMPLATE, template) else []
    for lang in translations():
        path = LOCALE_DIR / f"{lang}.po"
        catalog = load(path, lang) if path.exists() else new_catalogue(lang)
        # No fuzzy matching: a guessed translation of a reworded message would be shown as if it were right.
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        if _write_if_changed(path, catalog):
            written.append(path)
    return [str(path.relative_to(ROOT)) for path in written]


def untranslated(lang: str) -> list[str]:
    """The message ids of ``lang``'s catalogue that have no (complete) translation."""
    missing = []
    for message in load(LOCALE_DIR / f"{lang}.po", lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings):
            missing.append(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
    return missing


def main(argv: list[str] | None = None) -> int:
    """``update`` (the default) or ``missing``; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "update"
    if command == "update":
        written = update()
        print("updated: " + ", ".join(written) if written else "catalogues already up to date")
        command = "missing"
    if command == "missing":
        for lang in translations():
            missing = untranslated(lang)
            print(f"{lang}: {len(missing)} untranslated" + "".join(f"\n    {m!r}" for m in missing))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
