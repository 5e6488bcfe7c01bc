"""Start the app on 127.0.0.1 for a real browser, and Debian's chromium with the network quiet.

Used by tests/test_browser.py and scripts/measure_app.py.  Nothing is downloaded: the browser is
``/usr/bin/chromium`` (``apt-get install -y chromium``), driven by Playwright for Python.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_PREFIXES = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:", "about:")


def browser_missing() -> str | None:
    """Why a real-browser run is impossible here, or None."""
    if not CHROMIUM.is_file():
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_app(env: Mapping[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Run ``streamlit run app.py`` headless on 127.0.0.1 (usage statistics off); yields its URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below, after the process ends
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start on {url} (exit status {process.poll()})")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


#: JavaScript: click a what-if choice; resolve with the milliseconds until the re-ranked workup is on screen
#: (the "What if" banner, drawn from the new ranking just before the differential) and until the
#: differential's accessible table has changed (glide-data-grid refreshes it a little after the canvas).
RERANK_JS = """
async ([group, choice]) => {
  const grid = () => [...document.querySelectorAll('[data-testid=stDataFrame] table')]
      .find(t => t.innerText.includes('Implicated agent'));
  const banner = () => [...document.querySelectorAll('[data-testid=stAlert]')]
      .some(a => a.innerText.includes('What if:'));
  const before = grid().innerText;
  const hadBanner = banner();
  const control = [...document.querySelectorAll('[role=radiogroup]')].find(g => g.getAttribute('aria-label') === group);
  const button = [...control.querySelectorAll('[role=radio]')].find(b => b.innerText.trim() === choice);
  const marks = {};
  const started = performance.now();
  button.click();
  return await new Promise(resolve => {
    const observer = new MutationObserver(() => {
      const now = performance.now() - started;
      if (marks.banner === undefined && banner() !== hadBanner) marks.banner = now;
      const table = grid();
      if (marks.table === undefined && table && table.innerText !== before) marks.table = now;
      if (marks.banner !== undefined && marks.table !== undefined) { observer.disconnect(); resolve(marks); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { observer.disconnect(); resolve(marks); }, 15000);  // a mark never reached stays unset
  });
}
"""
