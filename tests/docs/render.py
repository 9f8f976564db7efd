"""`make docs`: draw every picture of the operator guides (docs/guide.*.md) from the wizard's
real canvases and write docs/screens/<language>/<name>.svg with <name>.json beside it (the
text and attribute runs the picture was made from; tests/docs compares them with the code)."""

from __future__ import annotations

import sys
from pathlib import Path

from . import canvasdata, svg
from .scenes import LANGUAGES, shoot

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def main(argv: list[str]) -> int:
    written = 0
    for lang in LANGUAGES:
        folder = SCREENS / lang
        folder.mkdir(parents=True, exist_ok=True)
        shots = shoot(lang)
        for old in folder.glob("*.json"):
            if old.stem not in shots:  # a picture no scene takes any more
                old.unlink()
                old.with_suffix(".svg").unlink(missing_ok=True)
        for name, data in sorted(shots.items()):
            (folder / f"{name}.json").write_text(canvasdata.dump(data), encoding="utf-8")
            (folder / f"{name}.svg").write_text(svg.render(data), encoding="utf-8")
            written += 1
    print(f"docs/screens: {written} pictures ({', '.join(LANGUAGES)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
