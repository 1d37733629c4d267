"""The digest page in a real browser: headless Chromium (Debian's `chromium`; `.ci/run` installs it when it is
missing) loads the page at a phone's width; the DOM has every paper's title, the figures load, nothing is wider
than the screen, and a screenshot is not blank. Skipped, saying why, where no Chromium can be had."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pymupdf
import pytest

from tests.test_digest_pages import DAY, WITH_FIGURES, Digest, run_digest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PHONE = (412, 915)  # CSS pixels of a common phone screen
# What the page is checked for, from inside the browser once everything has loaded; written into the DOM,
# which --dump-dom prints. Only the test's copy of the page carries it: the page itself has no script.
CHECK = """<script>
window.addEventListener("load", () => {
  const out = document.createElement("pre");
  out.id = "chatpaper-check";
  out.textContent = JSON.stringify({
    titles: [...document.querySelectorAll("article h3")].map((h) => h.textContent.trim()),
    images: [...document.images].map((i) => ({src: i.getAttribute("src"), complete: i.complete,
                                              width: i.naturalWidth, shown: i.getBoundingClientRect().width})),
    pageWidth: document.documentElement.scrollWidth,
    screenWidth: window.innerWidth,
  });
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        pytest.skip(f"no Chromium on this machine ({', '.join(BROWSERS)}): `.ci/run` installs Debian's chromium")
    return found


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    return run_digest(tmp_path_factory.mktemp("digest"))


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
        *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
        "--hide-scrollbars",
        f"--user-data-dir={profile}",  # a fresh profile: nothing of another run's state
        f"--window-size={PHONE[0]},{PHONE[1]}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_the_page_in_chromium(chromium: str, digest: Digest, tmp_path: Path) -> None:
    page = digest.folder / f"{DAY}.html"
    checked = digest.folder / f"{DAY}.checked.html"  # beside the page, so its figures resolve the same way
    checked.write_text(page.read_text(encoding="utf-8").replace("</body>", f"{CHECK}</body>"), encoding="utf-8")
    try:
        dom = run_chromium(
            chromium, tmp_path / "profile-dom", "--virtual-time-budget=10000", "--dump-dom", checked.as_uri()
        ).stdout
    finally:
        checked.unlink()
    found = re.search(r'<pre id="chatpaper-check">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    seen = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))

    titles = [re.sub(r"\s+", " ", s.title).strip() for s in digest.summaries]
    assert [re.sub(r"^\d+\. ", "", t) for t in seen["titles"]] == titles
    assert [image["src"] for image in seen["images"]] == [f"figures/{vid}.fig1.png" for vid in WITH_FIGURES]
    for image in seen["images"]:
        assert image["complete"] and image["width"] >= 600, image  # loaded, and at its full 600+ px
        assert 0 < image["shown"] <= seen["screenWidth"], image  # scaled down to the screen
    assert seen["pageWidth"] <= seen["screenWidth"]  # no sideways scrolling on a phone


def test_a_screenshot_of_the_page_is_not_blank(chromium: str, digest: Digest, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    run_chromium(chromium, tmp_path / "profile-shot", f"--screenshot={shot}", (digest.folder / f"{DAY}.html").as_uri())
    pixmap = pymupdf.Pixmap(shot.read_bytes())
    assert (pixmap.width, pixmap.height) >= (PHONE[0], PHONE[1] - 100)
    samples, n = pixmap.samples, pixmap.n
    pixels = [samples[i : i + 3] for i in range(0, len(samples), n * 17)]  # a sample of the pixels
    inked = sum(1 for p in pixels if min(p) < 200)
    assert inked > 0.02 * len(pixels), f"only {inked} of {len(pixels)} sampled pixels are not white"
    assert len(set(pixels)) > 20  # text and colours, not one flat colour
