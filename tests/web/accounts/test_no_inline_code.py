"""The accounts pages (and the programme pages for members and two-factor) carry no inline
<script>, no style= attribute and no on*= handler, so a Content-Security-Policy of
script-src 'self' and style-src 'self' holds for them; their CSS is a static file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

import benzodetox.web.accounts as accounts_app
import benzodetox.web.programmes as programmes_app

TEMPLATES = sorted(
    [
        *(Path(accounts_app.__file__).parent / "templates").rglob("*.html"),
        *(Path(programmes_app.__file__).parent / "templates").rglob("*.html"),
    ]
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def offences(text: str) -> list[str]:
    found = []
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("on*= handler", HANDLER),
    ):
        found += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return found


def test_the_checker_catches_each_kind():
    """The patterns find what they are meant to (so an empty result means something)."""
    bad = '<script>x()</script><p style="a"><style>p{}</style><a onclick="x()">'
    assert len(offences(bad)) == 4
    assert offences('<script src="/static/a.js" defer></script><p class="style">') == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_accounts_templates_have_no_inline_code(template: Path):
    """Each template file of the accounts and programmes apps is free of inline code."""
    assert offences(template.read_text()) == []


def test_the_accounts_stylesheet_is_a_static_file():
    """accounts/accounts.css is found by the static files finders (served by whitenoise)."""
    assert finders.find("accounts/accounts.css")


@pytest.mark.django_db
def test_the_rendered_sign_in_page_content_has_no_inline_code():
    """The sign-in page's own content (what follows <main>) is free of inline code too."""
    page = Client().get(reverse("accounts:login")).content.decode()
    main = page.split('<main id="content">', 1)[1]
    assert offences(main) == []
