"""What a person waits for in the browser: every page's first figure, settling, and the main clicks.

    uv run python benchmarks/browser.py --warehouse data/emss.duckdb            # the full demo
    uv run python benchmarks/browser.py --warehouse W --repeat 1 --out quick.md

Against `emss serve` on the warehouse, in Debian's Chromium (headless, 1400 x 1000), each figure the
median of --repeat runs: for every page, in a fresh tab, the seconds to its first figure, to settled
(Streamlit's running indicator gone) and the bytes its websocket received; in one session, the
seconds from a click to its result settled for the SQL box (run a statement), a sidebar filter
(choose a district) and the coverage page's what-if (add a station at the top hot spot). Figures go
to benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## In the browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {  # url path -> what shows its first figure (as tests/test_browser.py waits for)
    "": '[data-testid="stMetric"]',
    "response": ".js-plotly-plot .main-svg",
    "incidents": '[data-testid="stDataFrame"]',
    "stations": ".js-plotly-plot .main-svg",
    "station": '[data-testid="stDeckGlJsonChart"] canvas',
    "inventory": '[data-testid="stMetric"]',
    "map": '[data-testid="stDeckGlJsonChart"] canvas',
    "coverage": '[data-testid="stDeckGlJsonChart"] canvas',
    "quality": '[data-testid="stMetric"]',
    "workbench": '[data-testid="stDataFrame"]',
}
RUNNING = '[data-testid="stStatusWidget"]'


def serve(warehouse: Path, project: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "EMSS_DEMO_USER"}
    proc = subprocess.Popen(["uv", "run", "emss", "serve", "--warehouse", str(warehouse.resolve()), "--port", str(port)],
                            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the dashboard did not start")


def settled(page, timeout_s: float = 120) -> None:
    """Wait until Streamlit's running indicator has been gone for a moment."""
    deadline, quiet_since = time.perf_counter() + timeout_s, None
    while time.perf_counter() < deadline:
        if page.locator(RUNNING).count() == 0:
            quiet_since = quiet_since or time.perf_counter()
            if time.perf_counter() - quiet_since > 0.3:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(50)


def open_page(browser, base: str, path: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.__setitem__(
        0, received[0] + len(payload if isinstance(payload, (bytes, str)) else b""))))
    t0 = time.perf_counter()
    page.goto(f"{base}/{path}")
    page.wait_for_selector(PAGES[path], timeout=120_000)
    first = time.perf_counter() - t0
    settled(page)
    out = {"first_s": first, "settled_s": time.perf_counter() - t0 - 0.3, "received_mb": received[0] / 1e6}
    context.close()
    return out


def clicks(browser, base: str) -> dict[str, float]:
    """Seconds from a click to its result settled, in one session."""
    from emss.messages import text

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    out = {}

    def visit(path: str) -> None:
        page.goto(f"{base}/{path}")
        page.wait_for_selector(PAGES[path], timeout=120_000)
        settled(page)

    visit("workbench")
    box = page.locator("textarea").first
    box.fill("select district, count(*) as n from incidents group by district order by n desc")
    page.wait_for_timeout(300)
    t0 = time.perf_counter()
    page.get_by_role("button", name=text("workbench_adhoc_run", "zh"), exact=True).click()
    done = text("workbench_adhoc_done", "zh", n="§", seconds="§")  # "§ 行 · 用时 § 秒": the result's caption
    page.get_by_text(re.compile(re.escape(done).replace("§", r"[\d,.]+"))).first.wait_for(timeout=120_000)
    settled(page)
    out["sql_box_run_s"] = time.perf_counter() - t0 - 0.3

    visit("response")
    t0 = time.perf_counter()
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.locator('[role="option"]').nth(1).click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(100)
    settled(page)
    out["district_filter_s"] = time.perf_counter() - t0 - 0.3

    visit("coverage")
    t0 = time.perf_counter()
    page.get_by_role("button", name=text("whatif_add_hotspot", "zh")).first.click()
    page.wait_for_timeout(100)
    settled(page)
    out["what_if_add_s"] = time.perf_counter() - t0 - 0.3
    context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "emss.duckdb"))
    parser.add_argument("--project", default=str(ROOT), help="the checkout whose dashboard is served")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="", help="a name for this run in the table (e.g. before, after)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    proc, base = serve(Path(args.warehouse), Path(args.project))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            open_page(browser, base, "")  # the server's first run warms its caches once
            pages = {path: [open_page(browser, base, path) for _ in range(args.repeat)] for path in PAGES}
            actions = [clicks(browser, base) for _ in range(args.repeat)]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    lines = [f"### {args.label or 'run'}: {Path(args.warehouse).name}, {dt.date.today().isoformat()}", "",
             f"`uv run python benchmarks/browser.py --warehouse {Path(args.warehouse).name} --repeat {args.repeat}` "
             f"on {platform.machine()} ({os.cpu_count()} cores), headless Chromium 1400 x 1000, medians of {args.repeat}.", "",
             "| page | first figure | settled | received |", "| --- | --- | --- | --- |"]
    for path, runs in pages.items():
        lines.append(f"| {path or 'overview'} | {med(runs, 'first_s'):.2f} s | {med(runs, 'settled_s'):.2f} s | "
                     f"{med(runs, 'received_mb'):.2f} MB |")
    lines += ["", "| click | to its result, settled |", "| --- | --- |"]
    lines += [f"| {k} | {med(actions, k):.2f} s |" for k in actions[0]]
    print("\n".join(lines))
    out = Path(args.out)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nWhat a person waits for (benchmarks/browser.py).\n"
    head, _, rest = text.partition(SECTION)
    section, sep, after = rest.partition("\n## ")
    text = head + SECTION + section.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" + (sep + after if sep else "")
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
