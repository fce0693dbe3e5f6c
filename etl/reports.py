"""What a load says about each file: the report, as text for people and JSON for scripts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class BatchReport:
    source_file: str
    kind: str | None
    outcome: str                      # loaded | unchanged | refused
    batch_id: int | None = None
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_flagged: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)
    message: str | None = None
    personal_columns: list[str] = field(default_factory=list)  # dropped on read, never stored

    def as_dict(self) -> dict:
        return asdict(self)


def report_text(reports: list[BatchReport]) -> str:
    lines = []
    for r in reports:
        if r.outcome == "loaded":
            lines.append(f"{r.source_file} [{r.kind}, {r.encoding or 'xlsx'}] 读取 {r.rows_read} 行, 导入 {r.rows_loaded}, "
                         f"拒收 {r.rows_rejected}, 标记 {r.rows_flagged}  (read / loaded / rejected / flagged)")
            if r.personal_columns:
                lines.append(f"    个人信息列已丢弃，未保存 / personal columns dropped, not stored: {'、'.join(r.personal_columns)}")
            for rule, n in r.by_rule.items():
                example = next((e for e in r.examples if e["rule"] == rule), None)
                hint = f"  e.g. row {example['row']}: {example['message']}" if example else ""
                lines.append(f"    {rule}: {n}{hint}")
        else:
            lines.append(f"{r.source_file}: {r.outcome} — {r.message}")
    return "\n".join(lines)


def reports_json(reports: list[BatchReport]) -> str:
    return json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2)
