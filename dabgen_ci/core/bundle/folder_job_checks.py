"""What a folder job learns from its notebooks' analyses: job parameters, and the notes a
user needs before running the notebooks on serverless compute."""

from __future__ import annotations

import re

from dabgen_ci.core.notebook.model import NotebookAnalysis

Named = list[tuple[str, NotebookAnalysis]]  # (notebook name, analysis)

_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_BOUNDED_TRIGGERS = ("availablenow", "once")
# Import names whose pip distribution is named differently.
_DISTRIBUTIONS = {
    "sklearn": "scikit-learn", "yaml": "pyyaml", "cv2": "opencv-python", "PIL": "pillow",
    "bs4": "beautifulsoup4", "dateutil": "python-dateutil", "dotenv": "python-dotenv",
    "google": "google-cloud", "jwt": "pyjwt", "attr": "attrs",
}


def parameters(notebooks: Named, notes: list[str]) -> list[dict[str, str]]:
    """Job parameters from widgets (first default wins), then from parameters that are read
    but never defined (empty default), in order of first appearance."""
    defaults: dict[str, str] = {}
    for name, analysis in notebooks:
        for widget in analysis.widgets:
            if not _valid(widget.name, name, notes):
                continue
            default = "" if widget.default is None else widget.default
            if widget.default is None:
                notes.append(
                    f"{name}: widget {widget.name} has no literal default; "
                    "its job parameter defaults to ''"
                )
            if widget.name not in defaults:
                defaults[widget.name] = default
            elif defaults[widget.name] != default:
                notes.append(
                    f"{name}: widget {widget.name} defaults to {default!r} but an earlier "
                    f"notebook says {defaults[widget.name]!r}; the job parameter keeps the first"
                )
    for name, analysis in notebooks:
        for ref in analysis.parameter_refs:
            if ref.name not in defaults and _valid(ref.name, name, notes):
                defaults[ref.name] = ""
                notes.append(
                    f"{name}: parameter {ref.name} is read (line {ref.line}) but no widget "
                    "defines it; its job parameter defaults to ''"
                )
    return [{"name": key, "default": value} for key, value in defaults.items()]


def _valid(parameter: str, notebook: str, notes: list[str]) -> bool:
    if _PARAMETER_NAME.match(parameter):
        return True
    note = (
        f"{notebook}: {parameter!r} cannot be a job parameter name (letters, digits, _ - . "
        "only); pass it another way"
    )
    if note not in notes:
        notes.append(note)
    return False


def compute_notes(tasks: Named) -> list[str]:
    """Serverless caveats: Scala/R notebooks, unbounded streams, libraries never installed."""
    notes: list[str] = []
    for name, analysis in tasks:
        jvm = [lang for lang in analysis.languages if lang in ("SCALA", "R")]
        if jvm:
            notes.append(
                f"{name}: has {'/'.join(jvm)} code; serverless compute may not run it, give "
                "this task a job cluster if it fails"
            )
        if _unbounded_stream(analysis):
            notes.append(
                f"{name}: writes a stream without an availableNow/once trigger; the task may "
                "never finish and the tasks after it never start"
            )
        missing = _not_installed(analysis)
        if missing:
            notes.append(
                f"{name}: imports {', '.join(missing)} without a %pip install; serverless "
                "preinstalls common packages, add %pip cells for the others"
            )
    return notes


def _unbounded_stream(analysis: NotebookAnalysis) -> bool:
    kinds = {use.kind for use in analysis.streaming}
    bounded = any(
        use.kind == "trigger" and any(t in use.detail.lower() for t in _BOUNDED_TRIGGERS)
        for use in analysis.streaming
    )
    return "writeStream" in kinds and not bounded


def _not_installed(analysis: NotebookAnalysis) -> list[str]:
    sources = {library.source for library in analysis.libraries}
    if "pip-requirements" in sources:
        return []  # a requirements file may install anything
    installed = {_normal(lib.name) for lib in analysis.libraries if lib.source == "pip"}
    imported = [lib.name for lib in analysis.libraries if lib.source == "import"]
    return [
        module for module in imported
        if _normal(_DISTRIBUTIONS.get(module, module)) not in installed
        and _normal(module) not in installed
    ]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
