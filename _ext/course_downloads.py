"""The files a reader needs to run a downloaded chapter, offered on the site.

The page ``reference/running`` uses the directive ``course-downloads``. It
lists three downloads and the commands that install them:

* the ``lstm_course`` wheel, built from this checkout as ``make wheel`` builds
  it (``tools/student_bundle.py``: the package only, checked for anything
  secret);
* ``requirements.txt``: the course's pinned environment without the
  instructor-only tools (the students' file of the bundle);
* ``ipython_kernel_config.py``: keeps TensorFlow's start-up lines out of cells.

The files are written into the site's ``downloads/`` folder when the build
finishes; the page links to them there. Their names (the wheel's carries the
version) come from the same functions that build them, so the page and the
files cannot disagree.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[1]
FOLDER = "downloads"
KERNEL_CONFIG = ROOT / "config" / "ipython_kernel_config.py"


def _bundle_tool() -> Any:
    """tools/student_bundle.py, which builds the wheel and the students' requirements."""
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import student_bundle

    return student_bundle


def download_names() -> list[str]:
    """The files offered, in the order the page lists them."""
    return [_bundle_tool().wheel_name(ROOT), "requirements.txt", KERNEL_CONFIG.name]


def install_commands() -> str:
    """The shell commands that set up the environment from the downloads (Linux, macOS)."""
    return "\n".join(_bundle_tool().install_commands(ROOT))


def write_downloads(folder: Path) -> list[Path]:
    """Build the wheel and write the three files into ``folder``; refuse a wheel that leaks."""
    sb = _bundle_tool()
    folder.mkdir(parents=True, exist_ok=True)
    wheel = sb.build_wheel(folder, readme=sb.readme_text(ROOT), root=ROOT)
    found = sb.problems({wheel.name: wheel.read_bytes()}, ROOT)
    if found:
        wheel.unlink()
        raise sb.BundleError("the wheel would leak:\n  " + "\n  ".join(found[:20]))
    requirements = folder / "requirements.txt"
    requirements.write_text(sb.requirements_text(ROOT)[0])
    config = folder / KERNEL_CONFIG.name
    shutil.copyfile(KERNEL_CONFIG, config)
    return [wheel, requirements, config]


class CourseDownloads(SphinxDirective):
    """A list of links to the downloads, then the commands that install them."""

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(str(ROOT / "pyproject.toml"))
        self.env.note_dependency(str(ROOT / "requirements.txt"))
        up = "../" * self.env.docname.count("/")
        items = nodes.bullet_list()
        for name in download_names():
            link = nodes.reference("", "", nodes.literal(text=name), refuri=f"{up}{FOLDER}/{name}")
            items += nodes.list_item("", nodes.paragraph("", "", link))
        commands = install_commands()
        block = nodes.literal_block(commands, commands, language="bash")
        return [items, block]


def _write(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        write_downloads(Path(app.outdir) / FOLDER)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("course-downloads", CourseDownloads)
    app.connect("build-finished", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
