"""Measure the app's speed: first render of a workup on a warm server, and a re-rank after an input change.

Not a test (the machine is shared and noisy); run it and report the figures:

    .venv/bin/python scripts/measure_app.py [CASE_KEY] [--repeat 5] [--no-browser]

Two views of the same two numbers:

Each run toggles another finding, so its first toggle is a what-if that no run ranked before
(``*_new``: the app caches workups by case, so toggling back is a cache hit: ``rerank_back_ms``).

* server: the Streamlit script alone, run by ``streamlit.testing.v1.AppTest`` (no browser) — a fresh
  session's first run on a warm process, then a what-if toggle;
* browser: Debian's chromium (Playwright) against ``streamlit run app.py`` on 127.0.0.1 — navigation
  to the ranked list on a warm server, and click-to-screen for a what-if toggle (the "What if"
  banner drawn from the new ranking, and the differential's accessible table, which glide-data-grid
  refreshes a little after its canvas).

* sparql: in the same chromium, a fresh session on the Curate view, from the click on "Run query" to
  the caption that counts the example query's rows (the first query of the session, so its worker is new).

Targets (issue 9): first render ≤ 2 s, re-rank ≤ 0.3 s, first SPARQL query ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1) if values else float("nan")


def server_figures(case: str, repeat: int) -> dict[str, float]:
    """Script run times with AppTest on a warm process."""
    from streamlit.testing.v1 import AppTest

    def session() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["case"] = case
        return at

    session().run()  # warm: the knowledge base is loaded and cached once per process
    first, new, back = [], [], []
    for run in range(repeat):
        at = session()
        started = time.perf_counter()
        at.run()
        first.append(time.perf_counter() - started)
        toggles = at.sidebar.button_group
        toggle = toggles[run % len(toggles)]  # another finding each run: a what-if not ranked before
        for state, times in (
            ("not recorded" if toggle.value != "not recorded" else "absent", new),
            (toggle.value, back),
        ):
            started = time.perf_counter()
            toggle.set_value(state).run()
            times.append(time.perf_counter() - started)
    return {
        "first_render_ms": _median_ms(first),
        "rerank_ms": _median_ms(new + back),
        "rerank_new_ms": _median_ms(new),
        "rerank_back_ms": _median_ms(back),
        "runs": len(first),
    }


def browser_figures(case: str, repeat: int) -> dict[str, float]:
    """Click-to-screen times in chromium against a real server on 127.0.0.1."""
    from appserver import CHROMIUM, CHROMIUM_ARGS, RERANK_JS, browser_missing, running_app
    from playwright.sync_api import sync_playwright

    missing = browser_missing()
    if missing:
        return {"skipped": missing}  # type: ignore[dict-item]
    first, shown, table, shown_new = [], [], [], []
    with running_app() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/?case={case}")
        page.locator("h4").filter(has_text="1. ").first.wait_for(timeout=120_000)  # warm server and browser cache
        for run in range(repeat):
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{url}/?case={case}")
            page.locator("h4").filter(has_text="1. ").first.wait_for(timeout=60_000)
            page.locator("[data-testid=stDataFrame] table").filter(has_text="Implicated agent").first.wait_for(
                state="attached"
            )
            first.append(time.perf_counter() - started)
            page.wait_for_timeout(1500)
            groups = page.locator("[data-testid=stSidebar] [data-testid=stButtonGroup] [role=radiogroup]")
            group = groups.nth(run % groups.count())  # another finding each run: a what-if not ranked before
            name = group.get_attribute("aria-label")
            current = group.locator("[role=radio][aria-checked=true]").inner_text().strip()
            for choice in ("unknown" if current != "unknown" else "absent", current):
                marks = page.evaluate(RERANK_JS, [name, choice])
                if "banner" in marks and "table" in marks:  # else the toggle changed neither in 15 s
                    shown.append(marks["banner"] / 1000)
                    table.append(marks["table"] / 1000)
                    if choice != current:
                        shown_new.append(marks["banner"] / 1000)
                page.wait_for_timeout(1200)
            page.close()
        sparql = [_first_sparql(context, url) for _ in range(repeat)]
        browser.close()
    return {
        "first_render_ms": _median_ms(first),
        "rerank_shown_ms": _median_ms(shown),
        "rerank_shown_new_ms": _median_ms(shown_new),
        "rerank_table_ms": _median_ms(table),
        "first_sparql_ms": _median_ms(sparql),
        "runs": len(first),
    }


def _first_sparql(context, url: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from the click on "Run query" to its row count, in a fresh session on the Curate view."""
    page = context.new_page()
    page.goto(f"{url}/?view=curate")
    button = page.locator(".st-key-sparql-run button")
    button.wait_for(timeout=120_000)
    button.scroll_into_view_if_needed()
    started = time.perf_counter()
    button.click()
    page.get_by_text(re.compile(r"^SELECT: \d+ rows?")).first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", default="dev-001", help="example or dev case key (default dev-001)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "case": args.case,
        "server_script": server_figures(args.case, args.repeat),
    }
    if not args.no_browser:
        report["browser"] = browser_figures(args.case, args.repeat)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
