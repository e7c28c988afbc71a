"""Every form control on the main pages has a label; pages declare their language."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.in_label = 0
        self.wrapped: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            if a.get("type") in ("hidden", "submit", "button"):
                return
            self.controls.append(a)
            if self.in_label and a.get("id"):
                self.wrapped.add(a["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


@pytest.mark.parametrize(
    "name",
    ["patients:detail", "patients:edit", "patients:regimen", "patients:intake", "plans:builder"],
)
def test_every_control_has_a_label(name, client_for, prescriber, patient_a):
    """Each input, select and textarea has a <label for> or sits inside a label, or has an
    aria-label."""
    page = client_for(prescriber).get(reverse(name, args=[patient_a.pk])).content.decode()
    assert '<html lang="en">' in page
    parser = _Controls()
    parser.feed(page)
    unlabelled = [
        c
        for c in parser.controls
        if c.get("id") not in parser.label_for
        and c.get("id") not in parser.wrapped
        and not c.get("aria-label")
    ]
    assert parser.controls and not unlabelled
