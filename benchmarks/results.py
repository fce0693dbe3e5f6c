"""benchmarks/RESULTS.md: each benchmark keeps its own section there."""

from __future__ import annotations

import os
import platform
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


def checkouts_table(title: str, command: str, labels: list[str], repeat: int, how: str,
                    columns: list[str], cell: str, rows: list[list[str]]) -> list[str]:
    """A `### title` subsection for a benchmark that runs one checkout's code or several in turn
    (`labels`, one per checkout, "" for none given): the command (with a `--project <label> --label
    label` per checkout when there are several), `how` each run was made, and a table of `columns`
    followed by one column per checkout, headed `label: cell`."""
    many = len(labels) > 1
    if many:
        command += "".join(f" --project <{label or 'checkout'}> --label {label}" for label in labels)
    return [f"### {title}", "",
            f"`{command}` on {platform.machine()} ({os.cpu_count()} cores); {how}; medians of {repeat}"
            + (", the checkouts in turn." if many else "."), "",
            "| " + " | ".join(columns + [f"{label or 'this checkout'}: {cell}" for label in labels]) + " |",
            "| " + " | ".join("---" for _ in columns + labels) + " |",
            *("| " + " | ".join(row) + " |" for row in rows)]
