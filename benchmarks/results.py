"""benchmarks/RESULTS.md: each benchmark keeps its own section there."""

from __future__ import annotations

from pathlib import Path


def replace_section(out: Path, heading: str, lines: list[str]) -> None:
    """Write `lines` (starting with `heading`, a `## ` line) into `out` in place of the section under
    that heading, keeping every other section; at the end when there is none yet."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if heading in text:
        head, _, tail = text.partition(heading)
        rest = tail.split("\n## ", 1)
        text = head + "\n".join(lines) + "\n" + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")


def append_to_section(out: Path, heading: str, intro: str, lines: list[str]) -> None:
    """Add `lines` (a `### ` subsection) at the end of the section under `heading`, keeping what it
    holds already and every other section; the section, with `intro` under its heading, made first
    when there is none yet."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if heading not in text:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{intro}\n"
    head, _, rest = text.partition(heading)
    section, sep, after = rest.partition("\n## ")
    text = head + heading + section.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + (sep + after if sep else "")
    out.write_text(text, encoding="utf-8")
