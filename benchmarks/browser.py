"""What a person waits for in the browser: every page's first figure, settling, and the main clicks.

    uv run python benchmarks/browser.py --warehouse data/emss.duckdb            # the full demo
    uv run python benchmarks/browser.py --warehouse W --repeat 1 --out quick.md
    uv run python benchmarks/browser.py --warehouse W --project ../old --label before --project . --label after
    uv run python benchmarks/browser.py --warehouse W --pages overview,inventory --no-clicks   # some pages only
    uv run python benchmarks/browser.py --warehouse W --webgl llvmpipe   # maps drawn by Mesa, not SwiftShader

Against `emss serve` on the warehouse, in Debian's Chromium (headless, 1400 x 1000), each figure the
median of --repeat runs: for every page, in a fresh tab, the seconds to its first figure, to settled
(the app's script idle for 0.3 s), when the last websocket message before the first figure arrived
(the server's part of that wait: what the browser does after it is loading each element's code and
drawing) and the bytes its websocket received (as the browser reads them, and
on the wire, where the server may deflate them: counted by a relay in front of it), beside the floor: bare
Streamlit serving a script that draws one metric, measured in turn with the Overview. Then in one session, the
seconds from a click to its result settled, and the bytes that click's rerun received: the SQL box
(run a statement), the Response page's split (another 分组方式), a sidebar filter (choose a
district), a drill-down (a finding's button to the Incidents page) and the Coverage page's what-if
(add a station at the top hot spot) and the Station page's choice of another station (each until the map's
next frame is on screen); and the seconds from each page's sidebar link to its first
figure (of that page: the page before stays on screen, marked stale, while the new one runs). Figures go to benchmarks/RESULTS.md (a section of their own) or --out.

With --project given more than once, each checkout's dashboard is served on the same warehouse and
they are measured in turn, run by run (page by page, then the clicks), so that what else the machine
is doing weighs on each alike; each gets its own table, named by its --label.
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
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## In the browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PAGES = {  # url path -> what shows its first figure (as tests/test_browser.py waits for)
    "": '[data-testid="stMetric"]',
    "response": '[data-testid="stVegaLiteChart"] .mark-rect',  # its histogram (Vega-Lite)
    "incidents": '[data-testid="stDataFrame"]',
    "stations": '[data-testid="stVegaLiteChart"] .mark-rect',  # its build-out bars (Vega-Lite)
    "station": '[data-testid="stDeckGlJsonChart"] canvas',
    "inventory": '[data-testid="stMetric"]',
    "map": '[data-testid="stDeckGlJsonChart"] canvas',
    "coverage": '[data-testid="stDeckGlJsonChart"] canvas',
    "quality": '[data-testid="stMetric"]',
    "prevention": '[data-testid="stMetric"]',
    "workbench": '[data-testid="stDataFrame"]',
}
# Without a GPU, Chromium draws WebGL (the maps) in software. Its own renderer, SwiftShader, spends
# seconds on each kind of deck.gl layer before the first frame (measured: the district boundaries alone
# 3.5 s over an empty deck); Mesa's llvmpipe, through ANGLE on EGL, draws the same frames in about half
# the time. A desktop with a GPU pays neither; these two bracket what a person without one waits.
WEBGL = {
    "swiftshader": ["--disable-gpu"],
    "llvmpipe": ["--use-angle=gl-egl", "--ignore-gpu-blocklist"],
}
APP = '[data-testid="stApp"]'


def fresh(selector: str) -> str:
    """`selector` within an element of the run under way: while a page's script runs, Streamlit's front end
    keeps the elements of the page before it on screen (marked stale), a figure of that page among them."""
    return f'[data-testid="stElementContainer"][data-stale="false"] {selector}'

# the app's script state as Streamlit's front end writes it on its root element (running, notRunning, ...)
IDLE = f'{APP}[data-test-script-state="notRunning"]'
# set before a click: window.__ran turns true as soon as a run starts, however short it is
WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__ran = false;
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__ran = true;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

# set on every page of a session: each WebGL draw call notes, two animation frames on (the frame it
# drew is then on screen: the compositor has taken it), when the map was last drawn
NOTE_DRAWS = """(() => {
  for (const C of [window.WebGL2RenderingContext, window.WebGLRenderingContext]) {
    if (!C) continue;
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const draw = C.prototype[name];
      if (!draw) continue;
      C.prototype[name] = function (...args) {
        const out = draw.apply(this, args);
        requestAnimationFrame(() => requestAnimationFrame(() => { window.__drawnAt = performance.now(); }));
        return out;
      };
    }
  }
})();"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answering(proc: subprocess.Popen, base: str) -> tuple[subprocess.Popen, str]:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{base} did not start")


def serve(warehouse: Path, project: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "EMSS_DEMO_USER"}
    proc = subprocess.Popen(["uv", "run", "emss", "serve", "--warehouse", str(warehouse.resolve()), "--port", str(port)],
                            cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _answering(proc, f"http://127.0.0.1:{port}")


# The floor: Streamlit itself, serving a script that draws one metric and nothing else. Every page's
# first figure is this plus what the dashboard adds.
BARE_APP = 'import streamlit as st\n\nst.metric("在役站点", "1,000")\n'


def serve_bare(folder: Path) -> tuple[subprocess.Popen, str]:
    app = folder / "bare_streamlit.py"
    app.write_text(BARE_APP, encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _answering(proc, f"http://127.0.0.1:{port}")


class WireCounter:
    """A loopback TCP relay in front of a server that counts the bytes its websocket connections
    (the ones that ask for /_stcore/stream) send to the browser as they go over the wire, that is
    compressed when the server deflates its messages; the browser's own frame events see them inflated."""

    def __init__(self, base: str):
        self.target = ("127.0.0.1", int(base.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sent = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(self.target) as upstream:
            first = client.recv(65536)
            counted = first.startswith(b"GET /_stcore/stream")
            upstream.sendall(first)

            def up() -> None:
                try:
                    while data := client.recv(65536):
                        upstream.sendall(data)
                except OSError:
                    pass
                finally:
                    upstream.close()  # the browser hung up: so does the relay

            threading.Thread(target=up, daemon=True).start()
            try:
                while data := upstream.recv(65536):
                    if counted:
                        with self.lock:
                            self.sent += len(data)
                    client.sendall(data)
            except OSError:
                pass


def settled(page, timeout_s: float = 120) -> None:
    """Wait until the app's script has been idle for 0.3 s (a run that starts another counts as one)."""
    deadline, quiet_since = time.perf_counter() + timeout_s, None
    while time.perf_counter() < deadline:
        if page.locator(IDLE).count():
            quiet_since = quiet_since or time.perf_counter()
            if time.perf_counter() - quiet_since > 0.3:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(20)


def _count_frames(page, arrivals: list[float] | None = None) -> list[int]:
    """The bytes of every websocket message the page receives, as the browser sees them (inflated);
    with `arrivals`, the time.perf_counter() at which each arrived, appended to it."""
    received = [0]

    def frame(payload) -> None:
        received[0] += len(payload if isinstance(payload, (bytes, str)) else b"")
        if arrivals is not None:
            arrivals.append(time.perf_counter())

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return received


def open_page(browser, wire: WireCounter, path: str) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    arrivals: list[float] = []
    received = _count_frames(page, arrivals)
    wire.sent = 0
    t0 = time.perf_counter()
    page.goto(f"{wire.base}/{path}")
    page.wait_for_selector(PAGES[path], timeout=120_000)
    first = time.perf_counter() - t0
    # the server's part of the wait: what the first figure was drawn from had arrived by the last
    # message before it showed; the rest is the browser's (loading each element's code, drawing)
    sent_by = max([a - t0 for a in arrivals if a - t0 <= first], default=first)
    settled(page)
    out = {"first_s": first, "sent_by_s": sent_by, "settled_s": time.perf_counter() - t0 - 0.3,
           "received_mb": received[0] / 1e6,
           "wire_mb": wire.sent / 1e6}
    context.close()
    return out


def clicks(browser, wire: WireCounter) -> dict[str, float]:
    """In one session: seconds from a click to its result settled, and the megabytes each click's
    rerun received; then the seconds from a sidebar link to the page's first figure."""
    from emss.messages import text

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(NOTE_DRAWS)
    received = _count_frames(page)
    base = wire.base
    out = {}

    def visit(path: str) -> None:
        page.goto(f"{base}/{path}")
        page.wait_for_selector(PAGES[path], timeout=120_000)
        settled(page)

    def timed(name: str, click, result: str | None = None, before=None, redraws_map: bool = False) -> None:
        """`before` (untimed: e.g. opening a list), then `click`; wait for `result` (a selector) if given,
        and for the page to settle; with `redraws_map`, also for the map's next frame on screen (the
        browser may still be drawing it after the app's script is done)."""
        if before:
            before()
        page.evaluate(WATCH_RUNS)
        received[0] = wire.sent = 0
        clicked_at = page.evaluate("() => (window.__drawnAt = null, performance.now())")
        t0 = time.perf_counter()
        click()
        page.wait_for_function("() => window.__ran", timeout=10_000)  # the run the click started
        if result:
            page.wait_for_selector(fresh(result), timeout=120_000)
        settled(page)
        took = time.perf_counter() - t0 - 0.3
        if redraws_map:
            page.wait_for_function("() => window.__drawnAt !== null", timeout=120_000)
            page.wait_for_timeout(1000)  # a frame drawn later still counts
            took = max(took, (page.evaluate("() => window.__drawnAt") - clicked_at) / 1000)
        out[f"{name}_s"] = took
        out[f"{name}_mb"] = received[0] / 1e6
        out[f"{name}_wire"] = wire.sent / 1e6

    def open_list(within, label: str):
        """A function that opens the list of the select box labelled `label` (again, should a click
        land while the page is still being drawn)."""
        def run() -> None:
            button = within.get_by_role("combobox", name=label, exact=True).locator("xpath=..").get_by_role("button")
            for _ in range(10):
                button.click()
                if page.get_by_role("option").count() or not page.wait_for_timeout(1000) and page.get_by_role("option").count():
                    return
            raise SystemExit(f"the list of {label!r} did not open")
        return run

    visit("workbench")
    box = page.locator("textarea").first
    box.fill("select district, count(*) as n from incidents group by district order by n desc")
    page.wait_for_timeout(300)
    done = text("workbench_adhoc_done", "zh", n="§", seconds="§")  # "§ 行 · 用时 § 秒": the result's caption
    timed("sql_box_run", lambda: (
        page.get_by_role("button", name=text("workbench_adhoc_run", "zh"), exact=True).click(),
        page.get_by_text(re.compile(re.escape(done).replace("§", r"[\d,.]+"))).first.wait_for(timeout=120_000)))

    visit("response")
    main = page.locator('[data-testid="stMain"]')
    timed("group_by_change", lambda: page.get_by_role("option").nth(2).click(), before=open_list(main, text("group_by", "zh")))
    timed("district_filter", lambda: page.locator('[role="option"]').nth(1).click(),
          before=lambda: page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click())
    page.keyboard.press("Escape")
    timed("drill_down_click", lambda: main.get_by_role("button", name=text("open_beyond_incidents", "zh")).first.click(),
          result=PAGES["incidents"])

    visit("coverage")
    timed("what_if_add", lambda: page.get_by_role("button", name=text("whatif_add_hotspot", "zh")).first.click(),
          redraws_map=True)

    visit("station")
    main = page.locator('[data-testid="stMain"]')
    timed("station_change", lambda: page.get_by_role("option").nth(1).click(),
          before=open_list(main, text("station_pick", "zh")), redraws_map=True)

    visit("")
    nav = page.locator('[data-testid="stSidebarNav"]')
    for path in [p for p in PAGES if p] + [""]:  # through the sidebar, back to the Overview last
        page.evaluate(WATCH_RUNS)
        t0 = time.perf_counter()
        nav.get_by_text(text(f"page_{path or 'overview'}", "zh"), exact=True).click()
        page.wait_for_function("p => p.includes(location.pathname)", arg=[f"/{path}"] if path else ["/", "/home"])
        page.wait_for_function("() => window.__ran", timeout=10_000)  # the page's run: what was shown is stale
        page.wait_for_selector(fresh(PAGES[path]), timeout=120_000)
        out[f"to_{path or 'overview'}_s"] = time.perf_counter() - t0
        settled(page)
    context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "emss.duckdb"))
    parser.add_argument("--project", action="append",
                        help="the checkout whose dashboard is served (default: this one); more than once: measured in turn")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", action="append", default=[],
                        help="a name for this run in the table (e.g. before, after), one per --project")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--pages", help="only these pages' fresh tabs, comma-separated url paths (overview for the first)")
    parser.add_argument("--no-clicks", action="store_true", help="no clicks and no sidebar navigation")
    parser.add_argument("--webgl", choices=list(WEBGL), default="swiftshader",
                        help="how headless Chromium draws the maps without a GPU (see WEBGL)")
    args = parser.parse_args(argv)
    paths = list(PAGES) if not args.pages else ["" if p == "overview" else p for p in args.pages.split(",")]
    unknown = [p for p in paths if p not in PAGES]
    if unknown:
        parser.error(f"no such page: {', '.join(unknown)} (pages: overview, {', '.join(p for p in PAGES if p)})")
    projects = args.project or [str(ROOT)]
    labels = args.label + [""] * (len(projects) - len(args.label))
    servers, bare_folder = [], tempfile.mkdtemp(prefix="emss-bare-")
    try:
        for project in projects:
            servers.append(serve(Path(args.warehouse), Path(project)))
        bases = [WireCounter(base) for _, base in servers]
        servers.append(serve_bare(Path(bare_folder)))
        bare = WireCounter(servers[-1][1])
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", *WEBGL[args.webgl]])
            for base in [*bases, bare]:
                open_page(browser, base, "")  # the server's first run warms its caches once
            floor, pages = [], [{path: [] for path in paths} for _ in bases]
            for path in paths:
                for _ in range(args.repeat):
                    if path == paths[0]:  # the floor in turn with the first page (the Overview's first figure is also a metric)
                        floor.append(open_page(browser, bare, ""))
                    for runs, base in zip(pages, bases):
                        runs[path].append(open_page(browser, base, path))
            actions = [[] for _ in bases]
            for _ in range(0 if args.no_clicks else args.repeat):
                for runs, base in zip(actions, bases):
                    runs.append(clicks(browser, base))
            browser.close()
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=20)
        shutil.rmtree(bare_folder, ignore_errors=True)
    command = f"uv run python benchmarks/browser.py --warehouse {Path(args.warehouse).name} --repeat {args.repeat}"
    command += (f" --pages {args.pages}" if args.pages else "") + (" --no-clicks" if args.no_clicks else "")
    command += f" --webgl {args.webgl}" if args.webgl != "swiftshader" else ""
    together = ""
    if len(projects) > 1:
        command += "".join(f" --project <{label or 'checkout'}> --label {label}" for label in labels)
        together = f", {' and '.join(label or 'run' for label in labels)} measured in turn"
    lines = []
    for label, page_runs, action_runs in zip(labels, pages, actions):
        lines += table(label, Path(args.warehouse).name, command, args.repeat, together, floor, page_runs, action_runs)
    print("\n".join(lines))
    out = Path(args.out)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nWhat a person waits for (benchmarks/browser.py).\n"
    head, _, rest = text.partition(SECTION)
    section, sep, after = rest.partition("\n## ")
    text = head + SECTION + section.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n" + (sep + after if sep else "")
    out.write_text(text, encoding="utf-8")
    return 0


def table(label: str, warehouse: str, command: str, repeat: int, together: str, floor: list[dict],
          pages: dict[str, list[dict]], actions: list[dict]) -> list[str]:
    """One checkout's figures as a block of RESULTS.md: the floor (bare Streamlit), its pages, then its clicks."""
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    lines = [f"### {label or 'run'}: {warehouse}, {dt.date.today().isoformat()}", "",
             f"`{command}` on {platform.machine()} ({os.cpu_count()} cores), headless Chromium 1400 x 1000, "
             f"medians of {repeat}{together}.", "",
             "| page | first figure | its last message before it | settled | received | on the wire |",
             "| --- | --- | --- | --- | --- | --- |",
             f"| bare Streamlit, one metric (the floor) | {med(floor, 'first_s'):.2f} s | {med(floor, 'sent_by_s'):.2f} s | "
             f"{med(floor, 'settled_s'):.2f} s | {med(floor, 'received_mb'):.2f} MB | {med(floor, 'wire_mb'):.2f} MB |"]
    for path, runs in pages.items():
        lines.append(f"| {path or 'overview'} | {med(runs, 'first_s'):.2f} s | {med(runs, 'sent_by_s'):.2f} s | "
                     f"{med(runs, 'settled_s'):.2f} s | {med(runs, 'received_mb'):.2f} MB | {med(runs, 'wire_mb'):.2f} MB |")
    if not actions:
        return lines + [""]
    lines += ["", "| click | to its result, settled | received | on the wire |", "| --- | --- | --- | --- |"]
    lines += [f"| {k[:-2]} | {med(actions, k):.2f} s | {med(actions, k[:-2] + '_mb'):.2f} MB | "
              f"{med(actions, k[:-2] + '_wire'):.2f} MB |"
              for k in actions[0] if k.endswith("_s") and not k.startswith("to_")]
    lines += ["", "| from the sidebar to | first figure |", "| --- | --- |"]
    lines += [f"| {k[3:-2]} | {med(actions, k):.2f} s |" for k in actions[0] if k.startswith("to_")]
    return lines + [""]


if __name__ == "__main__":
    sys.exit(main())
