"""The report printed to PDF by Debian's Chromium (through playwright), with its dates fixed.

Chromium writes the wall-clock time into the PDF's /CreationDate and /ModDate,
and nothing else that changes between runs (checked on Chromium 156: two prints
of the same page differ only there). Those two dates are rewritten to the
data's cut time, keeping their length so the cross-reference offsets stay
valid; a rerun on the same data then gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from emss import messages

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Chromium (Skia) writes e.g. /CreationDate (D:20261129050609+00'00')
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+\-Z]\d{2}'\d{2}'\)")
RENDER_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class PdfOutcome:
    written: bool
    reason: str = ""          # why it was skipped
    browser: str = ""         # the Chromium version that printed it


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def fix_dates(pdf: bytes, when: dt.datetime) -> bytes:
    """Set /CreationDate and /ModDate to `when` (UTC+8, the local time of the data), same length."""
    stamp = when.strftime("%Y%m%d%H%M%S").encode("ascii") + b"+08'00'"

    def replace(m: re.Match[bytes]) -> bytes:
        new = b"/" + m.group(1) + b" (D:" + stamp + b")"
        assert len(new) == len(m.group(0)), "a PDF date must keep its length (xref offsets)"
        return new

    return _PDF_DATE.sub(replace, pdf)


def print_pdf(html_file: Path, pdf_file: Path, when: dt.datetime, expected_figures: int) -> PdfOutcome:
    """Print `html_file` on A4 once its figures are drawn; skip, saying why, when there is no Chromium."""
    chromium = chromium_path()
    if not chromium:
        return PdfOutcome(False, "Chromium not found on PATH (Debian: apt-get install chromium fonts-wqy-microhei)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        return PdfOutcome(False, f"playwright is not installed ({e})")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(html_file.resolve().as_uri(), wait_until="load")
                page.wait_for_function(
                    "n => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                    ".filter(e => e.querySelector('.main-svg')).length >= n",
                    arg=expected_figures, timeout=RENDER_TIMEOUT_MS,
                )
                pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                version = browser.version
            finally:
                browser.close()
    except PlaywrightError as e:
        return PdfOutcome(False, f"Chromium could not print the report: {messages.first_line(e)}")
    pdf_file.write_bytes(fix_dates(pdf, when))
    return PdfOutcome(True, browser=version)
