"""What several commands share: counting nouns, the --as-of date, a site's languages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.core.errors import DigestError


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, singular or plural: ``1 edition``, ``3 entries``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def as_of(text: str | None) -> date:
    """The ``--as-of`` date: the one given, or today (it decides which editions are out, never what pages say)."""
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise DigestError(f"--as-of: '{text}' is not a date (write it as YYYY-MM-DD)") from None


def site_languages(root: Path) -> tuple[str, ...]:
    """The languages of the site at ``root``; refuses a folder that is not a digest site."""
    from digest.content.project import SITE_FILE, load_site

    if not (root / SITE_FILE).is_file():
        raise DigestError(f"{root / SITE_FILE} not found: run digest from the site's folder, or pass --root")
    return load_site(root).languages
